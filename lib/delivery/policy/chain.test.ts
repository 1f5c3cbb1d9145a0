import { describe, expect, it } from "vitest";
import { chainDecision, PASSED_TO_FALLBACK } from "./chain";
import { deferred, heldBack, skipped, type ChainSettings, type ClaimedDelivery, type Decision } from "./outcome";

const now = new Date("2026-11-30T12:00:00Z");
const settings = (s: Partial<ChainSettings> = {}): ChainSettings => ({ fallbackRuleId: "rule_fb", linkedRuleId: "rule_ln", fallbackOn: [], ...s });
const claimed = (chain: ChainSettings | null = settings()): ClaimedDelivery => ({
  id: "dlv_1", organizationId: "org_1", ruleId: "rule_a", url: "https://x.test/", method: "POST", requestHeaders: {}, attemptCount: 0, consecutiveFailures: 0, chain,
});
const ended = (d: ClaimedDelivery, state: "SUCCEEDED" | "FAILED" | "PENDING", responseValues: Record<string, string> | null = null): Decision => ({
  outcome: { id: d.id, state, attemptCount: 1, nextAttemptAt: null, lastStatusCode: 200, lastError: null, responseValues, completedAt: now.toISOString() },
  tally: state === "SUCCEEDED" ? "succeeded" : state === "FAILED" ? "failed" : "retrying",
  ...(d.chain ? { chain: d.chain } : {}),
});

describe("chainDecision", () => {
  it("passes a success to the linked rule, with the values its response rules extracted", () => {
    const { decision, link } = chainDecision(ended(claimed(), "SUCCEEDED", { remoteId: "r1" }), now);
    expect(link).toEqual({ parentDeliveryId: "dlv_1", ruleId: "rule_ln", kind: "LINKED", responseValues: { remoteId: "r1" } });
    expect(decision.outcome.state).toBe("SUCCEEDED");
  });

  it("passes a delivery that failed for good to the fallback, never a retry", () => {
    expect(chainDecision(ended(claimed(), "FAILED"), now).link).toMatchObject({ ruleId: "rule_fb", kind: "FALLBACK" });
    expect(chainDecision(ended(claimed(), "PENDING"), now).link).toBeNull();
  });

  it("passes nothing when the rule names no such rule, or has no chain (a test send)", () => {
    expect(chainDecision(ended(claimed(settings({ linkedRuleId: null })), "SUCCEEDED"), now).link).toBeNull();
    expect(chainDecision(ended(claimed(settings({ fallbackRuleId: null })), "FAILED"), now).link).toBeNull();
    const plain = ended(claimed(null), "FAILED");
    expect(chainDecision(plain, now)).toEqual({ decision: plain, link: null });
  });

  it("passes a cap skip to the fallback only when the rule says so", () => {
    const capSkip = (on: ChainSettings["fallbackOn"]) => ({ ...skipped(claimed(settings({ fallbackOn: on })), "Cap reached", now), notSent: "capSkipped" as const });
    expect(chainDecision(capSkip(["capSkipped"]), now).link).toMatchObject({ ruleId: "rule_fb", kind: "FALLBACK" });
    expect(chainDecision(capSkip([]), now).link).toBeNull();
    // Switched off (no notSent): nothing passed on, whatever the settings.
    expect(chainDecision(skipped(claimed(settings({ fallbackOn: ["capSkipped"] })), "The rule is disabled", now), now).link).toBeNull();
  });

  it("with the window option, ends a window deferral as SKIPPED and passes the lead to the fallback", () => {
    const until = new Date("2026-12-01T08:00:00Z");
    const { decision, link } = chainDecision(deferred(claimed(settings({ fallbackOn: ["outsideWindow"] })), until), now);
    expect(link).toMatchObject({ ruleId: "rule_fb", kind: "FALLBACK" });
    expect(decision.outcome).toMatchObject({ state: "SKIPPED", nextAttemptAt: null, lastError: PASSED_TO_FALLBACK, completedAt: now.toISOString() });
    expect(decision.tally).toBe("skipped");
  });

  it("keeps a window deferral (without the option) and a hold waiting", () => {
    const until = new Date("2026-12-01T08:00:00Z");
    const waiting = deferred(claimed(), until);
    expect(chainDecision(waiting, now)).toEqual({ decision: waiting, link: null });
    const held = heldBack(claimed(settings({ fallbackOn: ["capSkipped", "outsideWindow"] })), until, "Cap reached");
    expect(chainDecision(held, now).link).toBeNull();
  });
});
