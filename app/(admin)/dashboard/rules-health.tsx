import Link from "next/link";
import { formatUtc } from "@/lib/core/format";
import { SimpleTable, type SimpleColumn } from "@/components/data-table";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { cn } from "@/components/ui/cn";
import { formatMs, formatRate } from "@/lib/dashboard/format";
import { isAutoDisabled, isFailing, type RuleHealth } from "@/lib/dashboard/rules";
import { OUTCOMES } from "@/lib/dashboard/series";
import { OUTCOME_STYLE } from "./outcome-style";

// Per-rule health, failing rules first: a SimpleTable, as this is a fixed, ranked summary with no
// filter, sort or paging to put in the URL.

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

const num = "text-right tabular-nums";

const COLUMNS: SimpleColumn<RuleHealth>[] = [
  {
    header: "Rule",
    rowHeader: true,
    cell: (rule) => (
      <>
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/rules/${encodeURIComponent(rule.id)}`} className="font-medium text-brand-700 hover:underline">
            {rule.title}
          </Link>
          <RuleStatus rule={rule} />
        </div>
        {isAutoDisabled(rule) && <p className="mt-0.5 text-xs text-red-700">{rule.disabledReason}</p>}
      </>
    ),
  },
  {
    header: "Deliveries",
    className: num,
    cell: (rule) => (
      <span className="flex flex-col items-end">
        <span>
          {rule.deliveries}
          {rule.deliveries > 0 && <span className="sr-only"> ({outcomeText(rule)})</span>}
        </span>
        <span title={outcomeText(rule)}>
          <OutcomeBar rule={rule} />
        </span>
      </span>
    ),
  },
  {
    header: "Success rate",
    className: num,
    cell: (rule) => <span className={cn(rule.successRate !== null && rule.successRate < 0.95 && "font-medium text-red-700")}>{formatRate(rule.successRate)}</span>,
  },
  { header: "p50", className: num, cell: (rule) => formatMs(rule.p50Ms) },
  { header: "p95", className: num, cell: (rule) => formatMs(rule.p95Ms) },
  { header: "Last failure", cell: (rule) => (rule.lastFailureAt ? <time dateTime={rule.lastFailureAt.toISOString()}>{formatUtc(rule.lastFailureAt)}</time> : "—") },
];

export function RulesHealth({ rules, label }: { rules: RuleHealth[]; label: string }) {
  const shown = rules.slice(0, RULES_SHOWN);
  return (
    <Card title="Rules" description={`Deliveries, success rate and response time per rule, ${label}; failing rules first.`}>
      <SimpleTable
        caption="Rule health"
        columns={COLUMNS}
        rows={shown}
        getRowId={(rule) => rule.id}
        empty={<p className="text-sm text-slate-500">No rule had deliveries in the {label}.</p>}
        className="-mx-5 -my-4"
        footer={
          rules.length > shown.length && (
            <p className="border-t border-slate-200 px-4 py-3 text-sm text-slate-500">
              Showing the {shown.length} rules that need attention first, of {rules.length}.{" "}
              <Link href="/rules" className="font-medium text-brand-700 hover:underline">
                All rules
              </Link>
            </p>
          )
        }
      />
    </Card>
  );
}
