import { describe, expect, it } from "vitest";
import { bucketLabel, bucketTitle, formatMs, formatRate, plural } from "./format";

describe("formatRate", () => {
  it("shows at most one decimal and drops a trailing .0", () => {
    expect(formatRate(0.75)).toBe("75%");
    expect(formatRate(2 / 3)).toBe("66.6%");
    expect(formatRate(0.625)).toBe("62.5%");
  });

  it("never rounds a rate with failures up to 100% or one with successes down to 0%", () => {
    expect(formatRate(0.9999)).toBe("99.9%");
    expect(formatRate(1)).toBe("100%");
    expect(formatRate(0.00001)).toBe("<0.1%");
    expect(formatRate(0)).toBe("0%");
  });

  it("shows a dash when there is no rate", () => {
    expect(formatRate(null)).toBe("—");
    expect(formatRate(Number.NaN)).toBe("—");
  });
});

describe("formatMs", () => {
  it("rounds interpolated percentiles to whole milliseconds, seconds from 1000 ms", () => {
    expect(formatMs(85)).toBe("85 ms");
    expect(formatMs(857.5)).toBe("858 ms");
    expect(formatMs(1250)).toBe("1.3 s");
    expect(formatMs(999.6)).toBe("1.0 s");
    expect(formatMs(null)).toBe("—");
  });
});

describe("bucket labels", () => {
  it("name hours and days in UTC", () => {
    expect(bucketLabel("2026-03-10T05:00:00.000Z", "hour")).toBe("05:00");
    expect(bucketLabel("2026-03-10T00:00:00.000Z", "day")).toBe("10 Mar");
    expect(bucketTitle("2026-03-10T05:00:00.000Z", "hour")).toBe("10 Mar, 05:00 UTC");
    expect(bucketTitle("2026-03-10T00:00:00.000Z", "day")).toBe("Tue, 10 Mar 2026");
  });
});

describe("plural", () => {
  it("counts with the right noun", () => {
    expect(plural(1, "delivery", "deliveries")).toBe("1 delivery");
    expect(plural(1200, "delivery", "deliveries")).toBe("1,200 deliveries");
    expect(plural(0, "rule")).toBe("0 rules");
  });
});
