import Link from "next/link";
import { cn } from "@/components/ui/cn";
import type { DashboardRange } from "@/lib/dashboard/range";

const OPTIONS: { range: DashboardRange; label: string }[] = [
  { range: "24h", label: "24 hours" },
  { range: "7d", label: "7 days" },
];

/** The range lives in the URL (?range=7d), so a view can be bookmarked and shared; plain links, no script needed. */
export function RangeSwitch({ current }: { current: DashboardRange }) {
  return (
    <nav aria-label="Time range" className="inline-flex rounded-md bg-white p-0.5 shadow-sm ring-1 ring-inset ring-slate-300">
      {OPTIONS.map(({ range, label }) => {
        const active = range === current;
        return (
          <Link
            key={range}
            href={range === "24h" ? "/dashboard" : `/dashboard?range=${range}`}
            aria-current={active ? "true" : undefined}
            className={cn("rounded px-3 py-1.5 text-sm font-medium", active ? "bg-brand-600 text-white" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900")}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
