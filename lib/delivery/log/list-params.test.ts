import { describe, expect, it } from "vitest";
import { createdRange, deliveryFiltersSchema, parseDeliveryListParams } from "./list-params";

describe("parseDeliveryListParams", () => {
  it("reads the filters and defaults to newest first", () => {
    const p = parseDeliveryListParams(new URLSearchParams("ruleId=rule_1&state=FAILED&status=5xx&from=2026-01-02&to=2026-01-03T10:30&q=%20ada%20"));
    expect(p).toMatchObject({ ruleId: "rule_1", state: "FAILED", status: "5xx", from: "2026-01-02", to: "2026-01-03T10:30", q: "ada", sort: "created", dir: "desc", page: 1 });
  });

  it("drops bad or empty values instead of failing the page", () => {
    const p = parseDeliveryListParams({ state: "NOPE", status: "5x", from: "tomorrow", to: "", ruleId: "", sort: "url" });
    expect(p).toMatchObject({ state: undefined, status: undefined, from: undefined, to: undefined, ruleId: undefined, sort: "created" });
    expect(parseDeliveryListParams({ status: "404" }).status).toBe("404");
  });
});

describe("deliveryFiltersSchema (bulk retry)", () => {
  it("rejects a bad filter rather than ignoring it", () => {
    expect(deliveryFiltersSchema.safeParse({ status: "abc" }).success).toBe(false);
    expect(deliveryFiltersSchema.safeParse({ from: "yesterday" }).success).toBe(false);
    expect(deliveryFiltersSchema.parse({})).toEqual({ q: "" });
  });
});

describe("createdRange", () => {
  it("reads bounds as UTC and makes 'to' inclusive of its day or minute", () => {
    expect(createdRange(undefined, undefined)).toBeUndefined();
    expect(createdRange("2026-01-02", "2026-01-03")).toEqual({ gte: new Date("2026-01-02T00:00:00Z"), lt: new Date("2026-01-04T00:00:00Z") });
    expect(createdRange("2026-01-02T10:30", "2026-01-02T11:00")).toEqual({ gte: new Date("2026-01-02T10:30:00Z"), lt: new Date("2026-01-02T11:01:00Z") });
    expect(createdRange(undefined, "2026-01-02T11:00:00.000Z")).toEqual({ lte: new Date("2026-01-02T11:00:00Z") });
  });
});
