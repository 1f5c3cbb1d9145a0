import { z } from "zod";

// The dashboard's time range and its buckets. Pure: the queries and the page get the same window
// from here, so the SQL's date_trunc buckets and the filled-in axis always line up.

export const DASHBOARD_RANGES = ["24h", "7d"] as const;
export type DashboardRange = (typeof DASHBOARD_RANGES)[number];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const RANGES: Record<DashboardRange, { unit: "hour" | "day"; bucketMs: number; buckets: number; label: string }> = {
  "24h": { unit: "hour", bucketMs: HOUR_MS, buckets: 24, label: "last 24 hours" },
  "7d": { unit: "day", bucketMs: DAY_MS, buckets: 7, label: "last 7 days" },
};

const rangeSchema = z.enum(DASHBOARD_RANGES).catch("24h");

/** ?range=24h|7d; anything else (missing, repeated, misspelt) is the default, 24 h. */
export function parseRange(raw: string | string[] | undefined): DashboardRange {
  return rangeSchema.parse(Array.isArray(raw) ? raw[0] : raw);
}

export interface DashboardWindow {
  range: DashboardRange;
  /** The date_trunc unit of a bucket. */
  unit: "hour" | "day";
  /** Start of the first bucket (inclusive). */
  start: Date;
  /** End of the last bucket (exclusive): the current hour or day is the last, partial bucket. */
  end: Date;
  /** Every bucket's start, oldest first: the continuous x axis. */
  bucketStarts: Date[];
  /** "last 24 hours" / "last 7 days". */
  label: string;
}

/** Truncates to the hour or the UTC day, like PostgreSQL's date_trunc on a UTC timestamp. */
export function truncate(date: Date, unit: "hour" | "day"): Date {
  const ms = unit === "hour" ? HOUR_MS : DAY_MS;
  return new Date(Math.floor(date.getTime() / ms) * ms);
}

/**
 * The window ending with the bucket that contains `now`: 24 hourly buckets (23 whole hours and the
 * current one) or 7 daily buckets, in UTC like every other time in the admin screens.
 */
export function dashboardWindow(range: DashboardRange, now: Date): DashboardWindow {
  const { unit, bucketMs, buckets, label } = RANGES[range];
  const last = truncate(now, unit);
  const start = new Date(last.getTime() - (buckets - 1) * bucketMs);
  const bucketStarts = Array.from({ length: buckets }, (_, i) => new Date(start.getTime() + i * bucketMs));
  return { range, unit, start, end: new Date(last.getTime() + bucketMs), bucketStarts, label };
}
