import type { DeliveryState } from "@/lib/domain/delivery";
import { formatUtc } from "@/lib/core/format";
import { CAP_HELD_PREFIX, RATE_WAITING_PREFIX } from "@/lib/domain/rule/limits";
import { WAITING_MESSAGE } from "./outcome";

// A pending delivery the rule's own controls keep from being sent (not one waiting for a retry):
// held by a cap, over the rate limit, outside the sending window (the engine's reason is its last
// error, and its next attempt is when it is due again), or, with ordering per lead, behind an
// earlier delivery of the same lead to the rule (no reason is stored for that: the claim passes
// it over until the earlier one is done). The delivery log shows such a delivery as Held.

export const ORDERING_MESSAGE = "Waiting for an earlier delivery of this lead to the rule (ordering per lead)";

export interface HeldState {
  reason: string;
  /** When it is due again; null: once the earlier delivery of the lead is done. */
  until: Date | null;
}

/** Whether a last error is one of the reasons the engine holds a delivery back with. */
export function isHeldReason(text: string): boolean {
  return text === WAITING_MESSAGE || text.startsWith(CAP_HELD_PREFIX) || text.startsWith(RATE_WAITING_PREFIX);
}

/** Why a delivery is held and until when; null when it is not held (any other state, or pending for a first try or a retry). */
export function heldState(d: { state: DeliveryState; lastError: string | null; nextAttemptAt: Date | null; waitingForEarlier?: boolean }): HeldState | null {
  if (d.state !== "PENDING") return null;
  if (d.waitingForEarlier) return { reason: ORDERING_MESSAGE, until: null };
  if (d.lastError && isHeldReason(d.lastError)) return { reason: d.lastError, until: d.nextAttemptAt };
  return null;
}

/** "Held: <reason>. Due again <time> UTC." as the delivery page says it and the list's badge tells on hover. */
export function heldNotice(held: HeldState): string {
  const reason = held.reason.startsWith(CAP_HELD_PREFIX) ? held.reason.slice(CAP_HELD_PREFIX.length) : held.reason;
  const due = held.until ? `Due again ${formatUtc(held.until)}.` : "Sent once the earlier delivery is done.";
  return `Held: ${reason}. ${due}`;
}
