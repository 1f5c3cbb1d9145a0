import { TriangleAlert } from "lucide-react";
import Link from "next/link";
import { formatUtc } from "@/lib/core/format";
import type { DashboardData } from "@/lib/dashboard/queries";

/** Rules the system switched off (repeated failures, 410 Gone): they send nothing until re-enabled. */
export function AutoDisabledRules({ rules }: { rules: DashboardData["autoDisabled"] }) {
  if (rules.length === 0) return null;
  return (
    <section aria-labelledby="auto-disabled-heading" className="rounded-lg bg-red-50 px-5 py-4 ring-1 ring-inset ring-red-600/20">
      <h2 id="auto-disabled-heading" className="flex items-center gap-2 text-sm font-semibold text-red-800">
        <TriangleAlert aria-hidden className="h-4 w-4" />
        {rules.length === 1 ? "1 rule was disabled automatically" : `${rules.length} rules were disabled automatically`}
      </h2>
      <ul className="mt-2 space-y-1 text-sm text-red-900">
        {rules.map((r) => (
          <li key={r.id}>
            <Link href={`/rules/${encodeURIComponent(r.id)}`} className="font-medium underline underline-offset-2 hover:text-red-700">
              {r.title}
            </Link>
            : {r.disabledReason}
            {r.disabledAt && (
              <>
                {" "}
                (<time dateTime={r.disabledAt.toISOString()}>{formatUtc(r.disabledAt)}</time>)
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
