import { Webhook } from "lucide-react";

// Every page here reads the session or the database at request time.
export const dynamic = "force-dynamic";

export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex items-center justify-center gap-2 text-brand-700">
          <Webhook aria-hidden className="h-7 w-7" />
          <span className="text-xl font-semibold tracking-tight">Leadhooks</span>
        </div>
        {children}
      </div>
    </main>
  );
}
