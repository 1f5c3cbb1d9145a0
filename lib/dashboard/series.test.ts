import { describe, expect, it } from "vitest";
import { dashboardWindow } from "./range";
import { fillSeries, successRate, sumCounts, totalOf } from "./series";

const w = dashboardWindow("24h", new Date("2026-03-10T15:30:00Z"));

describe("fillSeries", () => {
  it("gives every bucket of the window a point, zeros where SQL returned nothing", () => {
    const points = fillSeries(w, [
      { bucket: "2026-03-10T15:00:00.000Z", outcome: "succeeded", count: 3 },
      { bucket: "2026-03-10T15:00:00.000Z", outcome: "failed", count: 1 },
      { bucket: "2026-03-09T16:00:00.000Z", outcome: "retrying", count: 2 },
    ]);
    expect(points).toHaveLength(24);
    expect(points[0]).toEqual({ start: "2026-03-09T16:00:00.000Z", total: 2, succeeded: 0, failed: 0, retrying: 2, queued: 0, skipped: 0 });
    expect(points[23]).toEqual({ start: "2026-03-10T15:00:00.000Z", total: 4, succeeded: 3, failed: 1, retrying: 0, queued: 0, skipped: 0 });
    expect(points.slice(1, 23).every((p) => p.total === 0)).toBe(true);
  });

  it("matches buckets by instant, whatever the ISO spelling, and drops rows outside the window or with unknown outcomes", () => {
    const points = fillSeries(w, [
      { bucket: "2026-03-10T14:00:00Z", outcome: "skipped", count: 1 },
      { bucket: "2026-03-09T15:00:00.000Z", outcome: "succeeded", count: 9 },
      { bucket: "2026-03-10T14:00:00.000Z", outcome: "exploded", count: 9 },
    ]);
    expect(points[22]).toMatchObject({ skipped: 1, total: 1 });
    expect(totalOf(sumCounts(points))).toBe(1);
  });
});

describe("successRate", () => {
  it("is succeeded out of finished deliveries, null when none finished", () => {
    expect(successRate({ succeeded: 3, failed: 1 })).toBe(0.75);
    expect(successRate({ succeeded: 0, failed: 2 })).toBe(0);
    expect(successRate({ succeeded: 0, failed: 0 })).toBeNull();
  });
});
