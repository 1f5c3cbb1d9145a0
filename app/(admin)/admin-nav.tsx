"use client";

import { BookOpen, LayoutDashboard, ListChecks, LogOut, Send, Settings, Users, Webhook } from "lucide-react";
import { signOut } from "next-auth/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { NotificationsBadge } from "@/components/notifications-badge";
import { cn } from "@/components/ui/cn";

export const NAV_ITEMS = [
  { href: "/dashboard", label: "Dashboard", icon: LayoutDashboard },
  { href: "/rules", label: "Webhook Rules", icon: ListChecks },
  { href: "/deliveries", label: "Deliveries", icon: Send },
  { href: "/leads", label: "Leads", icon: Users },
  { href: "/api-docs", label: "API reference", icon: BookOpen },
  { href: "/settings", label: "Settings", icon: Settings },
];

export function AdminNav({ user }: { user: { email: string; name: string | null; role: string; organizationName: string } }) {
  const pathname = usePathname();
  return (
    <aside className="sticky top-0 flex h-screen w-60 shrink-0 flex-col border-r border-slate-200 bg-white">
      <div className="flex items-center gap-2 px-5 py-5 text-brand-700">
        <Webhook aria-hidden className="h-6 w-6" />
        <span className="text-lg font-semibold tracking-tight">Leadhooks</span>
      </div>
      <p className="px-5 pb-3 text-xs font-medium uppercase tracking-wide text-slate-400" title={user.organizationName}>
        {user.organizationName}
      </p>
      <nav aria-label="Main" className="flex-1 space-y-0.5 px-3">
        {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <Link
              key={href}
              href={href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium",
                active ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
              )}
            >
              <Icon aria-hidden className="h-4 w-4" />
              {label}
            </Link>
          );
        })}
        <NotificationsBadge />
      </nav>
      <div className="border-t border-slate-200 px-4 py-4">
        <p className="truncate text-sm font-medium text-slate-900" title={user.email}>
          {user.name || user.email}
        </p>
        <p className="text-xs text-slate-500">{user.role === "ADMIN" ? "Admin" : "Viewer (read only)"}</p>
        <button
          type="button"
          onClick={() => signOut({ redirect: false }).then(() => window.location.assign("/login"))}
          className="mt-3 inline-flex items-center gap-1.5 text-sm text-slate-600 hover:text-slate-900"
        >
          <LogOut aria-hidden className="h-4 w-4" /> Sign out
        </button>
      </div>
    </aside>
  );
}
