import type { Outcome } from "@/lib/dashboard/series";

// One colour and name per outcome, shared by the chart, its legend and the per-rule bars, in the
// tones the delivery state badges use (green succeeded, red failed, amber retrying).
export const OUTCOME_STYLE: Record<Outcome, { label: string; color: string; swatch: string }> = {
  succeeded: { label: "Succeeded", color: "#10b981", swatch: "bg-emerald-500" },
  failed: { label: "Failed", color: "#ef4444", swatch: "bg-red-500" },
  retrying: { label: "Retrying", color: "#f59e0b", swatch: "bg-amber-500" },
  queued: { label: "Queued", color: "#93c5fd", swatch: "bg-blue-300" },
  skipped: { label: "Skipped", color: "#cbd5e1", swatch: "bg-slate-300" },
};
