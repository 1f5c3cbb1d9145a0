import Link from "next/link";
import { Card } from "@/components/ui/card";
import { RECENT_LIMIT, STATS_WINDOW_DAYS, type RuleDeliveryStats } from "@/lib/delivery/log/queries";
import { DeliveryStateBadge, statusCodeText } from "./delivery-state-badge";
import { formatUtc } from "@/lib/core/format";
import { heldState } from "@/lib/delivery/policy/held";

// A rule's delivery health, for the rule's page: success rate and counts of the past week, and
// its latest deliveries. The page reads them (ruleDeliveryStats, scoped to the session's
// organization) and hands them over.

const STATES = [
  ["SUCCEEDED", "Succeeded"],
  ["FAILED", "Failed"],
  ["PENDING", "Pending"],
  ["SKIPPED", "Skipped"],
] as const;

function percent(rate: number | null): string {
  if (rate === null) return "—";
  return `${Math.round(rate * 1000) / 10}%`;
}

export function RuleDeliveriesPanel({ ruleId, stats }: { ruleId: string; stats: RuleDeliveryStats }) {
  const { counts, successRate, recent } = stats;
  const viewAll = `/deliveries?ruleId=${encodeURIComponent(ruleId)}`;
  return (
    <Card
      title="Deliveries"
      description={`Outcomes of the last ${STATS_WINDOW_DAYS} days and the ${RECENT_LIMIT} latest deliveries.`}
      footer={
        <Link href={viewAll} className="text-sm font-medium text-brand-700 hover:underline">
          View all<span className="sr-only"> deliveries of this rule</span>
        </Link>
      }
    >
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        <div className="rounded-md bg-slate-50 px-3 py-2">
          <dt className="text-xs text-slate-500">Success rate ({STATS_WINDOW_DAYS} days)</dt>
          <dd className="text-lg font-semibold text-slate-900">{percent(successRate)}</dd>
        </div>
        {STATES.map(([state, label]) => (
          <div key={state} className="rounded-md bg-slate-50 px-3 py-2">
            <dt className="text-xs text-slate-500">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums text-slate-900">{counts[state]}</dd>
          </div>
        ))}
      </dl>
      <h3 className="mb-2 mt-5 text-sm font-semibold text-slate-900">Latest deliveries</h3>
      {recent.length === 0 ? (
        <p className="text-sm text-slate-500">No deliveries yet.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm">
          {recent.map((d) => (
            <li key={d.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 py-2">
              <DeliveryStateBadge state={d.state} attemptCount={d.attemptCount} held={heldState(d)} />
              <time dateTime={d.createdAt.toISOString()} className="text-xs text-slate-600">
                {formatUtc(d.createdAt)}
              </time>
              <span className="text-slate-700">{d.event.label}</span>
              <span className="min-w-0 truncate text-slate-600">{d.lead?.email ?? d.lead?.name ?? ""}</span>
              <span className="font-mono text-xs text-slate-500">{statusCodeText(d.lastStatusCode)}</span>
              <Link href={`/deliveries/${encodeURIComponent(d.id)}`} className="ml-auto font-medium text-brand-700 hover:underline">
                View<span className="sr-only"> delivery {d.id}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
