import { describe, expect, it } from "vitest";
import { NO_LIMITS } from "@/lib/domain/rule/limits";
import { limitsUse, limitsUseLine } from "./usage";

const now = new Date("2026-11-26T13:20:00Z");
const usage = { hourStart: null, hourUsed: 0, dayStart: new Date("2026-11-26T00:00:00Z"), dayUsed: 412, weekStart: null, weekUsed: 0, monthStart: null, monthUsed: 0 };

describe("a rule's limits as shown", () => {
  it("is null for a rule without limits", () => {
    expect(limitsUse({ deliveryLimits: null, timeWindow: null, usage: null }, now)).toBeNull();
    expect(limitsUse({ deliveryLimits: NO_LIMITS, timeWindow: null, usage }, now)).toBeNull();
  });

  it("shows each cap's use in its period and the rate limit in one line", () => {
    const use = limitsUse({ deliveryLimits: { ...NO_LIMITS, caps: { ...NO_LIMITS.caps, day: 500 }, rate: { max: 10, per: "second" } }, timeWindow: null, usage }, now)!;
    expect(use).toMatchObject({ whenCapped: "hold", timeZone: "UTC", rate: "10 requests per second" });
    expect(limitsUseLine(use)).toBe("412 / 500 today · 10 requests per second");
  });
});
