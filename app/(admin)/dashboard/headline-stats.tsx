import { formatMs, formatRate, plural } from "@/lib/dashboard/format";
import type { DashboardData } from "@/lib/dashboard/queries";
import { cn } from "@/components/ui/cn";

function Stat({ id, label, value, detail, tone = "plain" }: { id: string; label: string; value: string; detail: string; tone?: "plain" | "bad" }) {
  return (
    <div role="group" aria-labelledby={`${id}-label`} className="rounded-lg bg-white px-5 py-4 shadow-sm ring-1 ring-slate-200">
      <p id={`${id}-label`} className="text-sm font-medium text-slate-500">
        {label}
      </p>
      <p className={cn("mt-1 text-2xl font-semibold tracking-tight", tone === "bad" ? "text-red-700" : "text-slate-900")}>{value}</p>
      <p className="mt-0.5 text-xs text-slate-500">{detail}</p>
    </div>
  );
}

/** The numbers a person reads first; each is a labelled group so it can be found by its name. */
export function HeadlineStats({ totals, label }: { totals: DashboardData["totals"]; label: string }) {
  const finished = totals.succeeded + totals.failed;
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
      <Stat
        id="stat-deliveries"
        label="Deliveries"
        value={totals.deliveries.toLocaleString("en-US")}
        detail={`${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.retrying} retrying · ${label}`}
      />
      <Stat
        id="stat-success"
        label="Success rate"
        value={formatRate(totals.successRate)}
        detail={finished ? `of ${plural(finished, "finished delivery", "finished deliveries")}` : "No delivery has finished yet"}
        tone={totals.successRate !== null && totals.successRate < 0.95 ? "bad" : "plain"}
      />
      <Stat id="stat-latency" label="Response time p50 / p95" value={`${formatMs(totals.p50Ms)} / ${formatMs(totals.p95Ms)}`} detail="Attempts that got an HTTP response" />
      <Stat
        id="stat-failing"
        label="Failing rules"
        value={String(totals.failingRules)}
        detail="With failed or retrying deliveries"
        tone={totals.failingRules > 0 ? "bad" : "plain"}
      />
    </div>
  );
}
