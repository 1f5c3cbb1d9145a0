import { formatUtc } from "@/lib/core/format";
import type { Pause } from "@/lib/domain/rule/circuit";

/** The rule page's note while the circuit breaker holds the rule's deliveries back. */
export function PauseNote({ pause }: { pause: Pause }) {
  return (
    <p role="note" className="mb-4 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-800 ring-1 ring-amber-200">
      Paused by the circuit breaker until {formatUtc(pause.until)}
      {pause.reason ? `: ${pause.reason}` : ""}. Its deliveries wait meanwhile (delayed, never dropped).
    </p>
  );
}
