import { Badge } from "@/components/ui/badge";
import { TruncatedText } from "@/components/ui/truncated-text";
import { heldNotice, type HeldState } from "@/lib/delivery/policy/held";
import type { DeliveryState } from "@/lib/domain/delivery";

// One look for a delivery's state everywhere (the log, a delivery, a rule's panel, a lead's page).
// A pending delivery that already had an attempt is shown as "Retrying": it failed at least once
// and is waiting for its next try. One the rule's own controls hold back (a cap, the rate limit, the
// sending window, ordering per lead) is shown as "Held", with why and until when on hover and focus.

const TONES = { SUCCEEDED: "green", FAILED: "red", PENDING: "yellow", SKIPPED: "gray" } as const;
const LABELS: Record<DeliveryState, string> = { SUCCEEDED: "Succeeded", FAILED: "Failed", PENDING: "Pending", SKIPPED: "Skipped" };

export function deliveryStateLabel(state: DeliveryState, attemptCount: number): string {
  return state === "PENDING" && attemptCount > 0 ? "Retrying" : LABELS[state];
}

export function DeliveryStateBadge({ state, attemptCount, held, className }: { state: DeliveryState; attemptCount: number; held?: HeldState | null; className?: string }) {
  if (held) {
    return (
      <TruncatedText text={heldNotice(held)} shortened className="w-max overflow-visible">
        <Badge tone="blue" className={className}>
          Held
        </Badge>
      </TruncatedText>
    );
  }
  return (
    <Badge tone={TONES[state]} className={className}>
      {deliveryStateLabel(state, attemptCount)}
    </Badge>
  );
}

/** "503", or "999 (no response)" when no HTTP response came; "—" before the first attempt. */
export function statusCodeText(code: number | null): string {
  if (code === null) return "—";
  return code === 999 ? "999 (no response)" : String(code);
}
