import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY } from "@/lib/domain/rule/retry";
import { parseDelays, retryFormFromPolicy, retryPolicyFromForm, RETRY_MESSAGES } from "./retry";
import { emptyRuleInput, ruleSchema } from "./rule";

const schema = ruleSchema({ allowInsecureUrls: false });
const base = { ...emptyRuleInput(), title: "CRM", url: "https://crm.example.com/hooks" };

describe("retry policy in the rule form", () => {
  it("a new rule starts with the default schedule and stores it as the engine reads it", () => {
    const parsed = schema.parse(base);
    expect(retryPolicyFromForm(parsed)).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("a custom schedule and retry-on-4xx round-trip through the stored policy", () => {
    const parsed = schema.parse({ ...base, retryDelays: "0, 10 , 60", retryOn4xx: true });
    const policy = retryPolicyFromForm(parsed);
    expect(policy).toEqual({ kind: "schedule", delaysSeconds: [0, 10, 60], retryOn4xx: true });
    expect(retryFormFromPolicy(policy)).toMatchObject({ retryKind: "schedule", retryDelays: "0, 10, 60", retryOn4xx: true });
  });

  it("exponential backoff is stored with its base, attempts and cap", () => {
    const parsed = schema.parse({ ...base, retryKind: "exponential", retryBaseSeconds: 15, retryMaxAttempts: 4, retryMaxDelaySeconds: 90 });
    const policy = retryPolicyFromForm(parsed);
    expect(policy).toEqual({ kind: "exponential", baseSeconds: 15, maxAttempts: 4, maxDelaySeconds: 90, retryOn4xx: false });
    expect(retryFormFromPolicy(policy)).toMatchObject({ retryKind: "exponential", retryBaseSeconds: 15, retryMaxAttempts: 4, retryMaxDelaySeconds: 90 });
  });

  it("refuses unreadable schedules and out-of-range numbers with field errors", () => {
    for (const retryDelays of ["", "0, soon", "-5", Array(21).fill("1").join(","), "604801"]) {
      const r = schema.safeParse({ ...base, retryDelays });
      expect(r.success).toBe(false);
      expect(r.error?.issues.find((i) => i.path[0] === "retryDelays")?.message).toBe(RETRY_MESSAGES.delays);
    }
    const r = schema.safeParse({ ...base, retryKind: "exponential", retryBaseSeconds: 0, retryMaxAttempts: 21, retryMaxDelaySeconds: 1.5 });
    expect(r.error?.issues.map((i) => i.path[0]).sort()).toEqual(["retryBaseSeconds", "retryMaxAttempts", "retryMaxDelaySeconds"]);
  });

  it("a schedule is checked only when it is the chosen strategy", () => {
    expect(schema.safeParse({ ...base, retryKind: "exponential", retryDelays: "garbage" }).success).toBe(true);
    expect(parseDelays("0 30\n120")).toEqual([0, 30, 120]);
  });
});
