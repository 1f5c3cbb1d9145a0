import { describe, expect, it } from "vitest";
import { cappedReason, deliveryLimitsColumn, deliveryLimitsSchema, hasLimits, NO_LIMITS, parseDeliveryLimits, rateLimitedReason, storedLimitsApply, usageLabel } from "./limits";

describe("delivery limits", () => {
  it("fills in defaults and reads an empty or unreadable column as no limits", () => {
    expect(deliveryLimitsSchema.parse({})).toEqual(NO_LIMITS);
    expect(parseDeliveryLimits(null)).toEqual(NO_LIMITS);
    expect(parseDeliveryLimits({ caps: { day: -3 } })).toEqual(NO_LIMITS);
    expect(parseDeliveryLimits({ caps: { day: 500 }, whenCapped: "skip" })).toMatchObject({ caps: { day: 500, hour: null }, whenCapped: "skip", rate: { max: null } });
  });

  it("stores null when nothing is limited", () => {
    expect(hasLimits(NO_LIMITS)).toBe(false);
    expect(deliveryLimitsColumn(NO_LIMITS)).toBeNull();
    // Settings chosen before any cap is set are kept, and still limit nothing.
    const zoned = { ...NO_LIMITS, timezone: "Asia/Tokyo" };
    expect(deliveryLimitsColumn(zoned)).toEqual(zoned);
    expect(deliveryLimitsColumn({ ...NO_LIMITS, whenCapped: "skip" })).toEqual({ ...NO_LIMITS, whenCapped: "skip" });
    expect(storedLimitsApply(zoned)).toBe(false);
    expect(storedLimitsApply(null)).toBe(false);
    expect(storedLimitsApply({ ...NO_LIMITS, caps: { ...NO_LIMITS.caps, day: 5 } })).toBe(true);
    const rated = { ...NO_LIMITS, rate: { max: 5, per: "minute" as const } };
    expect(deliveryLimitsColumn(rated)).toEqual(rated);
  });

  it("refuses caps and rates that are not positive whole numbers", () => {
    expect(deliveryLimitsSchema.safeParse({ caps: { day: 0 } }).success).toBe(false);
    expect(deliveryLimitsSchema.safeParse({ caps: { week: 1.5 } }).success).toBe(false);
    expect(deliveryLimitsSchema.safeParse({ rate: { max: 0 } }).success).toBe(false);
    expect(deliveryLimitsSchema.safeParse({ rate: { max: 3, per: "hour" } }).success).toBe(false);
  });

  it("takes the caps' own time zone, checked as the sending window's is; absent by default", () => {
    expect(deliveryLimitsSchema.parse({ caps: { day: 5 }, timezone: " Europe/Paris " }).timezone).toBe("Europe/Paris");
    expect("timezone" in deliveryLimitsSchema.parse({ caps: { day: 5 } })).toBe(false);
    const bad = deliveryLimitsSchema.safeParse({ caps: { day: 5 }, timezone: "Mars/Olympus" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["timezone", "Choose a time zone, such as America/New_York."]]);
    expect(deliveryLimitsSchema.safeParse({ timezone: "" }).success).toBe(false);
    expect(deliveryLimitsSchema.parse({ timezone: null }).timezone).toBeNull(); // the API's way to clear it
  });

  it("says what a cap did and how much of it is used", () => {
    expect(cappedReason("skip", "day", 500)).toBe("Skipped: the rule's daily cap of 500 deliveries is reached");
    expect(cappedReason("hold", "month", 1)).toBe("Held: the rule's monthly cap of 1 delivery is reached; it is sent when the period resets");
    expect(rateLimitedReason({ max: 10, per: "second" })).toBe("Waiting for the rule's rate limit (10 requests per second)");
    expect(usageLabel("day", 412, 500)).toBe("412 / 500 today");
    expect(usageLabel("week", 1200, 5000)).toBe("1,200 / 5,000 this week");
  });
});
