import type { DashboardWindow } from "./range";

// Deliveries per bucket and outcome. SQL returns only the buckets that have deliveries; the chart
// needs every bucket of the window, so the gaps are filled with zeros here.

/**
 * A delivery's outcome on the dashboard: its state, with PENDING split into "retrying" (it failed
 * at least once and waits for its next try, as the delivery log labels it) and "queued".
 */
export const OUTCOMES = ["succeeded", "failed", "retrying", "queued", "skipped"] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type OutcomeCounts = Record<Outcome, number>;

export const emptyCounts = (): OutcomeCounts => ({ succeeded: 0, failed: 0, retrying: 0, queued: 0, skipped: 0 });

export function isOutcome(value: string): value is Outcome {
  return (OUTCOMES as readonly string[]).includes(value);
}

/** One row of the bucket query: a bucket's start (ISO, UTC), an outcome, how many. */
export interface BucketCount {
  bucket: string;
  outcome: string;
  count: number;
}

export interface SeriesPoint extends OutcomeCounts {
  /** The bucket's start, ISO 8601 UTC. */
  start: string;
  total: number;
}

/** One point per bucket of the window, oldest first; rows outside the window are ignored. */
export function fillSeries(window: Pick<DashboardWindow, "bucketStarts">, rows: readonly BucketCount[]): SeriesPoint[] {
  const byStart = new Map<number, SeriesPoint>();
  const points = window.bucketStarts.map((start) => {
    const point: SeriesPoint = { start: start.toISOString(), total: 0, ...emptyCounts() };
    byStart.set(start.getTime(), point);
    return point;
  });
  for (const row of rows) {
    const point = byStart.get(Date.parse(row.bucket));
    if (!point || !isOutcome(row.outcome)) continue;
    point[row.outcome] += row.count;
    point.total += row.count;
  }
  return points;
}

/** The outcomes summed over the series. */
export function sumCounts(points: readonly OutcomeCounts[]): OutcomeCounts {
  const sum = emptyCounts();
  for (const p of points) for (const o of OUTCOMES) sum[o] += p[o];
  return sum;
}

export const totalOf = (c: OutcomeCounts): number => OUTCOMES.reduce((n, o) => n + c[o], 0);

/**
 * Succeeded out of finished (succeeded + failed), 0..1, like a rule's own page reports it; null
 * when nothing finished (retrying and queued deliveries have no verdict yet, skipped ones were
 * never meant to be sent).
 */
export function successRate(c: Pick<OutcomeCounts, "succeeded" | "failed">): number | null {
  const finished = c.succeeded + c.failed;
  return finished ? c.succeeded / finished : null;
}
