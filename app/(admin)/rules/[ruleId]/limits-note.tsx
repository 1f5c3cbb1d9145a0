import { formatUtc } from "@/lib/core/format";
import { usageLabel } from "@/lib/domain/rule/limits";
import type { LimitsUse } from "@/lib/rules/usage";

/** The rule page's note on its caps (use against each, and when it resets) and its rate limit. */
export function LimitsNote({ limits }: { limits: LimitsUse }) {
  const full = limits.caps.filter((c) => c.used >= c.limit);
  return (
    <p role="note" className="mb-4 rounded-md bg-slate-50 px-4 py-3 text-sm text-slate-700 ring-1 ring-slate-200">
      Delivery limits:{" "}
      {limits.caps.map((c) => `${usageLabel(c.period, c.used, c.limit)} (resets ${formatUtc(c.resetsAt)})`).join(", ")}
      {limits.caps.length > 0 && limits.rate ? "; " : ""}
      {limits.rate ? `at most ${limits.rate}` : ""}.
      {full.length > 0 && ` A cap is reached: new deliveries are ${limits.whenCapped === "hold" ? "held until it resets" : "skipped until it resets"}.`}
    </p>
  );
}
