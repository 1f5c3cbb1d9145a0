import Link from "next/link";
import { formatUtc } from "@/lib/core/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { formatMs, formatRate } from "@/lib/dashboard/format";
import { isAutoDisabled, isFailing, type RuleHealth } from "@/lib/dashboard/rules";
import { OUTCOMES } from "@/lib/dashboard/series";
import { OUTCOME_STYLE } from "./outcome-style";

// Per-rule health, failing rules first. A plain table rather than the shared DataTable: this one
// is a fixed, ranked summary with no filter, sort or paging to put in the URL.

export const RULES_SHOWN = 20;

/** A rule's deliveries as a thin stacked bar; the numbers are in the text beside it. */
function OutcomeBar({ rule }: { rule: RuleHealth }) {
  if (rule.deliveries === 0) return null;
  return (
    <span aria-hidden className="mt-1 flex h-1.5 w-24 overflow-hidden rounded-full bg-slate-100">
      {OUTCOMES.filter((o) => rule.counts[o] > 0).map((o) => (
        <span key={o} className={OUTCOME_STYLE[o].swatch} style={{ width: `${(rule.counts[o] / rule.deliveries) * 100}%` }} />
      ))}
    </span>
  );
}

function outcomeText(rule: RuleHealth): string {
  return OUTCOMES.filter((o) => rule.counts[o] > 0)
    .map((o) => `${rule.counts[o]} ${OUTCOME_STYLE[o].label.toLowerCase()}`)
    .join(", ");
}

function RuleStatus({ rule }: { rule: RuleHealth }) {
  if (isAutoDisabled(rule)) return <Badge tone="red">Disabled automatically</Badge>;
  if (!rule.enabled) return <Badge tone="gray">Disabled</Badge>;
  if (isFailing(rule)) return <Badge tone="yellow">Failing</Badge>;
  return null;
}

const th = "px-4 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
const num = "text-right tabular-nums";

export function RulesHealth({ rules, label }: { rules: RuleHealth[]; label: string }) {
  const shown = rules.slice(0, RULES_SHOWN);
  return (
    <Card title="Rules" description={`Deliveries, success rate and response time per rule, ${label}; failing rules first.`}>
      {shown.length === 0 ? (
        <p className="text-sm text-slate-500">No rule had deliveries in the {label}.</p>
      ) : (
        <div className="relative -mx-5 -my-4 overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Rule health">
            <thead className="bg-slate-50">
              <tr>
                <th scope="col" className={th}>Rule</th>
                <th scope="col" className={cn(th, "text-right")}>Deliveries</th>
                <th scope="col" className={cn(th, "text-right")}>Success rate</th>
                <th scope="col" className={cn(th, "text-right")}>p50</th>
                <th scope="col" className={cn(th, "text-right")}>p95</th>
                <th scope="col" className={th}>Last failure</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {shown.map((rule) => (
                <tr key={rule.id} className="align-top">
                  <th scope="row" className="px-4 py-3 text-left font-normal">
                    <div className="flex flex-wrap items-center gap-2">
                      <Link href={`/rules/${encodeURIComponent(rule.id)}`} className="font-medium text-brand-700 hover:underline">
                        {rule.title}
                      </Link>
                      <RuleStatus rule={rule} />
                    </div>
                    {isAutoDisabled(rule) && <p className="mt-0.5 text-xs text-red-700">{rule.disabledReason}</p>}
                  </th>
                  <td className={cn("px-4 py-3", num)}>
                    <span className="flex flex-col items-end">
                      <span>
                        {rule.deliveries}
                        {rule.deliveries > 0 && <span className="sr-only"> ({outcomeText(rule)})</span>}
                      </span>
                      <span title={outcomeText(rule)}>
                        <OutcomeBar rule={rule} />
                      </span>
                    </span>
                  </td>
                  <td className={cn("px-4 py-3", num, rule.successRate !== null && rule.successRate < 0.95 && "font-medium text-red-700")}>{formatRate(rule.successRate)}</td>
                  <td className={cn("px-4 py-3", num)}>{formatMs(rule.p50Ms)}</td>
                  <td className={cn("px-4 py-3", num)}>{formatMs(rule.p95Ms)}</td>
                  <td className="px-4 py-3 text-slate-600">{rule.lastFailureAt ? <time dateTime={rule.lastFailureAt.toISOString()}>{formatUtc(rule.lastFailureAt)}</time> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {rules.length > shown.length && (
            <p className="border-t border-slate-200 px-4 py-3 text-sm text-slate-500">
              Showing the {shown.length} rules that need attention first, of {rules.length}.{" "}
              <Link href="/rules" className="font-medium text-brand-700 hover:underline">
                All rules
              </Link>
            </p>
          )}
        </div>
      )}
    </Card>
  );
}
