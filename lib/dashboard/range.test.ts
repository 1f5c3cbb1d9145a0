import { describe, expect, it } from "vitest";
import { dashboardWindow, parseRange, truncate } from "./range";

describe("parseRange", () => {
  it("reads 24h and 7d, and falls back to 24h for anything else", () => {
    expect(parseRange("7d")).toBe("7d");
    expect(parseRange("24h")).toBe("24h");
    expect(parseRange(undefined)).toBe("24h");
    expect(parseRange("30d")).toBe("24h");
    expect(parseRange(["7d", "24h"])).toBe("7d");
  });
});

describe("dashboardWindow", () => {
  const now = new Date("2026-03-10T15:30:12.345Z");

  it("24h: 24 hourly buckets ending with the current hour", () => {
    const w = dashboardWindow("24h", now);
    expect(w.unit).toBe("hour");
    expect(w.bucketStarts).toHaveLength(24);
    expect(w.start.toISOString()).toBe("2026-03-09T16:00:00.000Z");
    expect(w.bucketStarts.at(-1)!.toISOString()).toBe("2026-03-10T15:00:00.000Z");
    expect(w.end.toISOString()).toBe("2026-03-10T16:00:00.000Z");
    // consecutive, one hour apart
    expect(w.bucketStarts.every((b, i) => i === 0 || b.getTime() - w.bucketStarts[i - 1]!.getTime() === 3_600_000)).toBe(true);
  });

  it("7d: 7 UTC days ending with today", () => {
    const w = dashboardWindow("7d", now);
    expect(w.unit).toBe("day");
    expect(w.bucketStarts.map((b) => b.toISOString().slice(0, 10))).toEqual(["2026-03-04", "2026-03-05", "2026-03-06", "2026-03-07", "2026-03-08", "2026-03-09", "2026-03-10"]);
    expect(w.end.toISOString()).toBe("2026-03-11T00:00:00.000Z");
  });

  it("truncates like date_trunc on UTC timestamps", () => {
    expect(truncate(new Date("2026-03-10T00:00:00.000Z"), "day").toISOString()).toBe("2026-03-10T00:00:00.000Z");
    expect(truncate(new Date("2026-03-10T23:59:59.999Z"), "hour").toISOString()).toBe("2026-03-10T23:00:00.000Z");
  });
});
