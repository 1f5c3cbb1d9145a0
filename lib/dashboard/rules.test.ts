import { describe, expect, it } from "vitest";
import { rankRules, ruleHealth, type RuleHealth } from "./rules";
import { emptyCounts, type OutcomeCounts } from "./series";

function rule(title: string, counts: Partial<OutcomeCounts>, extra: Partial<Pick<RuleHealth, "enabled" | "disabledReason">> = {}): RuleHealth {
  return ruleHealth({ id: `rule_${title}`, title, enabled: true, disabledReason: null, disabledAt: null, ...extra }, { ...emptyCounts(), ...counts }, undefined);
}

describe("ruleHealth", () => {
  it("totals the deliveries and computes the success rate of finished ones", () => {
    const r = rule("A", { succeeded: 3, failed: 1, retrying: 2, queued: 1, skipped: 1 });
    expect(r).toMatchObject({ deliveries: 8, successRate: 0.75, p50Ms: null, p95Ms: null, lastFailureAt: null });
  });
});

describe("rankRules", () => {
  it("puts failing rules first, worst success rate first, then most failures", () => {
    const ranked = rankRules([
      rule("Healthy busy", { succeeded: 50 }),
      rule("Half", { succeeded: 5, failed: 5 }),
      rule("Mostly fine", { succeeded: 9, failed: 1 }),
      rule("Only retrying", { retrying: 1 }),
      rule("All failed, many", { failed: 9 }),
      rule("Healthy quiet", { succeeded: 1 }),
    ]);
    expect(ranked.map((r) => r.title)).toEqual(["All failed, many", "Only retrying", "Half", "Mostly fine", "Healthy busy", "Healthy quiet"]);
  });

  it("shows rules disabled automatically after the failing ones and before healthy ones; a manual disable is just a rule", () => {
    const ranked = rankRules([
      rule("Paused by admin", { succeeded: 5 }, { enabled: false }),
      rule("Gone", {}, { enabled: false, disabledReason: "The endpoint answered 410 Gone" }),
      rule("Failing", { failed: 1, succeeded: 1 }),
    ]);
    expect(ranked.map((r) => r.title)).toEqual(["Failing", "Gone", "Paused by admin"]);
  });

  it("breaks ties by title so the order is stable", () => {
    expect(rankRules([rule("b", { succeeded: 1 }), rule("a", { succeeded: 1 })]).map((r) => r.title)).toEqual(["a", "b"]);
  });
});
