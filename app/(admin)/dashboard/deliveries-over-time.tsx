import { SimpleTable, type SimpleColumn } from "@/components/data-table";
import { Card } from "@/components/ui/card";
import { bucketTitle, plural } from "@/lib/dashboard/format";
import type { DashboardWindow } from "@/lib/dashboard/range";
import { OUTCOMES, type Outcome, type OutcomeCounts, type SeriesPoint } from "@/lib/dashboard/series";
import { DeliveriesChart } from "./deliveries-chart";
import { OUTCOME_STYLE } from "./outcome-style";

/** Succeeded, failed and retrying always have a series; queued and skipped only when they occur. */
export function chartOutcomes(totals: OutcomeCounts): Outcome[] {
  return OUTCOMES.filter((o) => o === "succeeded" || o === "failed" || o === "retrying" || totals[o] > 0);
}

/** The chart's accessible name: what it shows and its totals. */
export function chartSummary(window: DashboardWindow, totals: OutcomeCounts & { deliveries: number }, outcomes: Outcome[]): string {
  const parts = outcomes.map((o) => `${totals[o]} ${OUTCOME_STYLE[o].label.toLowerCase()}`).join(", ");
  return `Deliveries per ${window.unit} over the ${window.label}: ${plural(totals.deliveries, "delivery", "deliveries")} (${parts})`;
}

export function DeliveriesOverTime({ window, series, totals }: { window: DashboardWindow; series: SeriesPoint[]; totals: OutcomeCounts & { deliveries: number } }) {
  const outcomes = chartOutcomes(totals);
  const busy = series.filter((p) => p.total > 0);
  const per = window.unit === "hour" ? "Hour" : "Day";
  return (
    <Card title="Deliveries over time" description={`Per ${window.unit}, ${window.label}, by outcome (UTC).`}>
      <DeliveriesChart points={series} unit={window.unit} outcomes={outcomes} summary={chartSummary(window, totals, outcomes)} />
      {/* The chart's numbers for screen readers; buckets without deliveries are left out. */}
      <SimpleTable
        srOnly
        caption={`Deliveries per ${window.unit}, ${window.label} (${per.toLowerCase()}s without deliveries are left out)`}
        columns={[
          { header: per, rowHeader: true, cell: (p) => bucketTitle(p.start, window.unit) },
          ...outcomes.map((o): SimpleColumn<SeriesPoint> => ({ header: OUTCOME_STYLE[o].label, cell: (p) => p[o] })),
          { header: "Total", cell: (p) => p.total },
        ]}
        rows={busy}
        getRowId={(p) => p.start}
      />
      {totals.deliveries === 0 && <p className="mt-2 text-center text-sm text-slate-500">No deliveries in the {window.label}.</p>}
    </Card>
  );
}
