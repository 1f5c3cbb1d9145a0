import { describe, expect, it } from "vitest";
import { cappedReason, rateLimitedReason } from "@/lib/domain/rule/limits";
import { heldNotice, heldState, isHeldReason, ORDERING_MESSAGE } from "./held";
import { WAITING_MESSAGE } from "./outcome";

const at = new Date("2026-12-01T00:00:00Z");
const pending = (lastError: string | null, more: { waitingForEarlier?: boolean; attemptCount?: number } = {}) => ({ state: "PENDING" as const, lastError, nextAttemptAt: at, ...more });

describe("a held delivery", () => {
  it("is one held by a cap, the rate limit or the sending window, with the engine's reason and when it is due again", () => {
    for (const reason of [cappedReason("hold", "day", 500), rateLimitedReason({ max: 10, per: "second" }), WAITING_MESSAGE]) {
      expect(heldState(pending(reason)), reason).toEqual({ reason, until: at });
    }
  });

  it("is one behind an earlier delivery of its lead to an ordered rule, due once that one is done", () => {
    expect(heldState(pending(null, { waitingForEarlier: true }))).toEqual({ reason: ORDERING_MESSAGE, until: null });
    expect(heldState(pending(rateLimitedReason({ max: 1, per: "minute" }), { waitingForEarlier: true }))?.reason).toBe(ORDERING_MESSAGE);
  });

  it("is not a delivery waiting for its first try or a retry, nor one that is no longer pending", () => {
    expect(heldState(pending(null))).toBeNull();
    expect(heldState(pending("HTTP 503 Service Unavailable", { attemptCount: 2 }))).toBeNull();
    expect(heldState({ state: "SKIPPED", lastError: cappedReason("skip", "day", 500), nextAttemptAt: null })).toBeNull();
    expect(heldState({ state: "SUCCEEDED", lastError: WAITING_MESSAGE, nextAttemptAt: null, waitingForEarlier: true })).toBeNull();
  });

  it("recognises the engine's hold reasons only", () => {
    expect(isHeldReason(cappedReason("hold", "hour", 1))).toBe(true);
    expect(isHeldReason(cappedReason("skip", "hour", 1))).toBe(false);
    expect(isHeldReason("Connection refused")).toBe(false);
  });
});

describe("the held notice", () => {
  it("says the reason once and when the delivery is due again", () => {
    expect(heldNotice({ reason: cappedReason("hold", "day", 500), until: at })).toBe(
      "Held: the rule's daily cap of 500 deliveries is reached; it is sent when the period resets. Due again 1 Dec 2026, 00:00:00 UTC.",
    );
    expect(heldNotice({ reason: WAITING_MESSAGE, until: at })).toBe("Held: Waiting for the rule's sending window. Due again 1 Dec 2026, 00:00:00 UTC.");
    expect(heldNotice({ reason: ORDERING_MESSAGE, until: null })).toBe(`Held: ${ORDERING_MESSAGE}. Sent once the earlier delivery is done.`);
  });
});
