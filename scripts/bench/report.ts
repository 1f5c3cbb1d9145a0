// How the benchmark prints: one line per phase as it ends, a summary table at the end.
import { describeDefects, type LedgerReport } from "./ledger";

export interface Figure {
  /** What is measured, e.g. "events accepted". */
  name: string;
  value: string;
  target: string;
  /** null: no target, or not measured. */
  met: boolean | null;
}

export interface PhaseOutcome {
  phase: string;
  figures: Figure[];
  /** Set when the phase's ledger did not hold (void) or the phase could not run to its end. */
  failure?: "void" | "error";
  /** Extra facts for the phase line (posts rejected, an unanswered rule's arrivals). */
  notes?: string[];
}

export const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

export const num = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "—");

const verdict = (f: Figure, failure: PhaseOutcome["failure"]) =>
  failure === "void" ? "VOID" : failure === "error" ? "ERROR" : f.met === null ? (f.target === "—" ? "—" : "not run") : f.met ? "met" : "not met";

/** The phase's one line: each figure with its target and whether it was met. */
export function phaseLine(o: PhaseOutcome): string {
  const figures = o.figures.map((f) => `${f.name} ${f.value}${f.target === "—" ? "" : ` (target ${f.target}: ${verdict(f, o.failure)})`}`).join("; ");
  const notes = o.notes?.length ? ` [${o.notes.join("; ")}]` : "";
  return `${o.phase.padEnd(12)} ${o.failure === "void" ? "VOID: " : ""}${figures}${notes}`;
}

/** The ledger's verdict lines for a void phase. */
export function voidLines(r: LedgerReport): string[] {
  return [`  ledger: ${r.delivered} of ${r.expected} owed deliveries arrived`, ...describeDefects(r).map((l) => `  ${l}`)];
}

export function summaryTable(outcomes: PhaseOutcome[]): string {
  const rows = outcomes.flatMap((o) => o.figures.map((f) => [o.phase, f.name, f.value, f.target, verdict(f, o.failure)]));
  const head = ["phase", "figure", "value", "target", "result"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
