import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import { diagnose, type Diagnosis } from "@/lib/delivery/policy/diagnosis";
import { asParsedError } from "@/lib/delivery/log/queries";
import { dashboardWindow, type DashboardRange, type DashboardWindow } from "./range";
import { ruleHealth, isFailing, rankRules, type RuleHealth } from "./rules";
import { emptyCounts, fillSeries, isOutcome, successRate, sumCounts, totalOf, type BucketCount, type OutcomeCounts, type SeriesPoint } from "./series";

// The organization's dashboard: deliveries over time by outcome, headline numbers, per-rule health
// and recent errors, all over the deliveries created in the window (and their attempts). Every
// query filters by organizationId; attempts are reached through their delivery, which carries it.
// Counting, bucketing and percentiles happen in SQL; only the gap filling and ordering are in JS.

export const RECENT_ERRORS_LIMIT = 10;

export interface RecentError {
  attemptId: string;
  deliveryId: string;
  rule: { id: string; title: string };
  startedAt: Date;
  statusCode: number;
  errorClass: string | null;
  errorMessage: string | null;
  diagnosis: Diagnosis;
}

export interface DashboardData {
  window: DashboardWindow;
  /** Whether the organization has any delivery at all (else the page shows how to start). */
  hasDeliveries: boolean;
  series: SeriesPoint[];
  totals: OutcomeCounts & { deliveries: number; successRate: number | null; p50Ms: number | null; p95Ms: number | null; failingRules: number };
  /** Rules with deliveries in the window, and rules disabled automatically, failing ones first. */
  rules: RuleHealth[];
  /** Rules disabled automatically (whenever that happened), newest first. */
  autoDisabled: Pick<RuleHealth, "id" | "title" | "disabledReason" | "disabledAt">[];
  recentErrors: RecentError[];
}

// Timestamps are "timestamp without time zone" holding UTC (Prisma's mapping): parameters are
// passed as ISO text and converted explicitly, so the session's TimeZone setting cannot shift them.
const utc = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

function inWindow(organizationId: string, w: DashboardWindow) {
  // Test sends (from the rule form or the API) are not statistics.
  return Prisma.sql`d."organizationId" = ${organizationId} AND d."createdAt" >= ${utc(w.start)} AND d."createdAt" < ${utc(w.end)} AND NOT d."isTest"`;
}

// The delivery's outcome as the dashboard names them (lib/dashboard/series.ts OUTCOMES).
const OUTCOME_SQL = Prisma.sql`CASE WHEN d.state = 'PENDING' THEN (CASE WHEN d."attemptCount" > 0 THEN 'retrying' ELSE 'queued' END) ELSE lower(d.state::text) END`;

// An attempt failed unless it is the one that completed a succeeded delivery (its last). This also
// catches a 2xx answer refused by the rule's response rules, which a status filter would miss.
const FAILED_ATTEMPT_SQL = Prisma.sql`NOT (d.state = 'SUCCEEDED' AND a.number = d."attemptCount")`;

const ISO = Prisma.raw(`'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`);

async function bucketCounts(prisma: PrismaClient, organizationId: string, w: DashboardWindow): Promise<BucketCount[]> {
  return prisma.$queryRaw<BucketCount[]>`
    SELECT to_char(date_trunc(${w.unit}, d."createdAt"), ${ISO}) AS bucket, ${OUTCOME_SQL} AS outcome, count(*)::int AS count
    FROM "Delivery" d
    WHERE ${inWindow(organizationId, w)}
    GROUP BY 1, 2`;
}

async function ruleCounts(prisma: PrismaClient, organizationId: string, w: DashboardWindow): Promise<Map<string, OutcomeCounts>> {
  const rows = await prisma.$queryRaw<{ ruleId: string; outcome: string; count: number }[]>`
    SELECT d."ruleId", ${OUTCOME_SQL} AS outcome, count(*)::int AS count
    FROM "Delivery" d
    WHERE ${inWindow(organizationId, w)}
    GROUP BY 1, 2`;
  const out = new Map<string, OutcomeCounts>();
  for (const { ruleId, outcome, count } of rows) {
    if (!isOutcome(outcome)) continue;
    const counts = out.get(ruleId) ?? emptyCounts();
    counts[outcome] += count;
    out.set(ruleId, counts);
  }
  return out;
}

interface AttemptTimes {
  p50Ms: number | null;
  p95Ms: number | null;
  lastFailureAt: Date | null;
}

/**
 * Response time percentiles (attempts that got an HTTP response: status 999 means none came, and
 * its duration is a timeout or a refused connection, not the endpoint's speed) and the last failed
 * attempt, per rule and for the whole organization in one pass (the grouping set () is the total).
 */
async function attemptTimes(prisma: PrismaClient, organizationId: string, w: DashboardWindow): Promise<{ total: AttemptTimes; byRule: Map<string, AttemptTimes> }> {
  const rows = await prisma.$queryRaw<{ ruleId: string | null; isTotal: boolean; p50: number | null; p95: number | null; lastFailureAt: string | null }[]>`
    SELECT d."ruleId", GROUPING(d."ruleId") = 1 AS "isTotal",
      percentile_cont(0.5) WITHIN GROUP (ORDER BY a."durationMs") FILTER (WHERE a."statusCode" <> 999) AS p50,
      percentile_cont(0.95) WITHIN GROUP (ORDER BY a."durationMs") FILTER (WHERE a."statusCode" <> 999) AS p95,
      to_char(max(a."startedAt") FILTER (WHERE ${FAILED_ATTEMPT_SQL}), ${ISO}) AS "lastFailureAt"
    FROM "DeliveryAttempt" a
    JOIN "Delivery" d ON d.id = a."deliveryId"
    WHERE ${inWindow(organizationId, w)}
    GROUP BY GROUPING SETS ((d."ruleId"), ())`;
  // Interpolation leaves float noise (729.9999…): a tenth of a millisecond is plenty.
  const ms = (v: number | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);
  const toTimes = (r: (typeof rows)[number]): AttemptTimes => ({
    p50Ms: ms(r.p50),
    p95Ms: ms(r.p95),
    lastFailureAt: r.lastFailureAt ? new Date(r.lastFailureAt) : null,
  });
  const total = rows.find((r) => r.isTotal);
  const byRule = new Map(rows.filter((r) => !r.isTotal && r.ruleId).map((r) => [r.ruleId as string, toTimes(r)]));
  return { total: total ? toTimes(total) : { p50Ms: null, p95Ms: null, lastFailureAt: null }, byRule };
}

async function recentErrors(prisma: PrismaClient, organizationId: string, w: DashboardWindow): Promise<RecentError[]> {
  const rows = await prisma.$queryRaw<
    { attemptId: string; deliveryId: string; ruleId: string; ruleTitle: string; startedAt: string; statusCode: number; errorClass: string | null; errorMessage: string | null; parsedError: unknown; isLatest: boolean; lastError: string | null }[]
  >`
    SELECT a.id AS "attemptId", d.id AS "deliveryId", r.id AS "ruleId", r.title AS "ruleTitle", to_char(a."startedAt", ${ISO}) AS "startedAt",
      a."statusCode", a."errorClass", a."errorMessage", a."parsedError", a.number = d."attemptCount" AS "isLatest", d."lastError"
    FROM "DeliveryAttempt" a
    JOIN "Delivery" d ON d.id = a."deliveryId"
    JOIN "WebhookRule" r ON r.id = d."ruleId" AND r."organizationId" = d."organizationId"
    WHERE ${inWindow(organizationId, w)} AND ${FAILED_ATTEMPT_SQL}
    ORDER BY a."startedAt" DESC, a.id DESC
    LIMIT ${RECENT_ERRORS_LIMIT}`;
  return rows.map((r) => ({
    attemptId: r.attemptId,
    deliveryId: r.deliveryId,
    rule: { id: r.ruleId, title: r.ruleTitle },
    startedAt: new Date(r.startedAt),
    statusCode: r.statusCode,
    errorClass: r.errorClass,
    errorMessage: r.errorMessage,
    // As the delivery page reads an attempt: the attempt keeps the client's error, the delivery's
    // last error holds the response rules' reason for its latest attempt (a 200 failing a body check).
    diagnosis: diagnose({
      status: r.statusCode,
      errorClass: r.errorClass,
      errorMessage: r.errorMessage,
      verdict: { success: false, reason: r.errorMessage ?? (r.isLatest ? r.lastError : null), error: asParsedError(r.parsedError) },
    }),
  }));
}

/** Everything the dashboard shows for the range ending at `now`. */
export async function getDashboard(prisma: PrismaClient, organizationId: string, range: DashboardRange, now = new Date()): Promise<DashboardData> {
  const w = dashboardWindow(range, now);
  const [buckets, countsByRule, times, errors, anyDelivery] = await Promise.all([
    bucketCounts(prisma, organizationId, w),
    ruleCounts(prisma, organizationId, w),
    attemptTimes(prisma, organizationId, w),
    recentErrors(prisma, organizationId, w),
    prisma.delivery.findFirst({ where: { organizationId, isTest: false }, select: { id: true } }),
  ]);
  const ruleRows = await prisma.webhookRule.findMany({
    where: { organizationId, OR: [{ id: { in: [...countsByRule.keys()] } }, { enabled: false, disabledReason: { not: null } }] },
    select: { id: true, title: true, enabled: true, disabledReason: true, disabledAt: true },
  });
  const rules = rankRules(ruleRows.map((r) => ruleHealth(r, countsByRule.get(r.id) ?? emptyCounts(), times.byRule.get(r.id))));
  const series = fillSeries(w, buckets);
  const counts = sumCounts(series);
  return {
    window: w,
    hasDeliveries: anyDelivery !== null,
    series,
    totals: {
      ...counts,
      deliveries: totalOf(counts),
      successRate: successRate(counts),
      p50Ms: times.total.p50Ms,
      p95Ms: times.total.p95Ms,
      failingRules: rules.filter(isFailing).length,
    },
    rules,
    autoDisabled: ruleRows
      .filter((r) => !r.enabled && r.disabledReason !== null)
      .sort((a, b) => (b.disabledAt?.getTime() ?? 0) - (a.disabledAt?.getTime() ?? 0))
      .map(({ id, title, disabledReason, disabledAt }) => ({ id, title, disabledReason, disabledAt })),
    recentErrors: errors,
  };
}
