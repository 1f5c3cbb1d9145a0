import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { createNotification } from "./create";
import { errorReportContent, RECENT_LIMIT, type ErrorReportData } from "./content";

// Error reports (MetaLocator's "error report" emails): when a rule's delivery attempt fails
// (status 300 or more, or 999: DNS, connect, TLS, timeout), its organization hears about it at
// most once an hour per rule. A report covers every failed attempt since the previous one, so the
// failures of a throttled hour go into the next report, sent by the next failure or by
// flushErrorReports once the hour is over.

export const REPORT_INTERVAL_MS = 3600_000;
/** A rule's first report looks back this far. */
const FIRST_REPORT_LOOKBACK_MS = 24 * 3600_000;
// Attempts are found through the rule's deliveries (indexed by rule and creation time); a retry
// is never scheduled more than 7 days after the previous attempt, so a delivery created longer ago
// than that before the window rarely has an attempt inside it.
const DELIVERY_AGE_BOUND_MS = 7 * 24 * 3600_000;

const iso = (d: Date) => d.toISOString();
const parsedErrorSchema = z.object({ message: z.string().optional(), code: z.string().optional() }).nullable().catch(null);

function failedAttemptsWhere(ruleId: string, organizationId: string, since: Date, now: Date): Prisma.DeliveryAttemptWhereInput {
  return {
    delivery: { ruleId, organizationId, createdAt: { gt: new Date(since.getTime() - DELIVERY_AGE_BOUND_MS) } },
    startedAt: { gt: since, lte: now },
    OR: [{ statusCode: { gte: 300 } }, { errorClass: { not: null } }],
  };
}

/**
 * Creates the rule's error report when one is due (none in the last hour) and there are failed
 * attempts it has not reported yet. Returns the notification id, or null when nothing was due.
 * Two dispatchers may call this at once: the conditional UPDATE lets only one of them claim the
 * hour, in the same transaction that stores the report.
 */
export async function reportRuleErrors(prisma: PrismaClient, ruleId: string, now: Date): Promise<string | null> {
  const rule = await prisma.webhookRule.findUnique({ where: { id: ruleId }, select: { organizationId: true, title: true, lastErrorReportAt: true } });
  if (!rule) return null;
  const previous = rule.lastErrorReportAt;
  if (previous && previous.getTime() > now.getTime() - REPORT_INTERVAL_MS) return null; // throttled: the next report carries them
  const since = previous ?? new Date(now.getTime() - FIRST_REPORT_LOOKBACK_MS);
  const where = failedAttemptsWhere(ruleId, rule.organizationId, since, now);

  const groups = await prisma.deliveryAttempt.groupBy({
    by: ["statusCode", "errorClass"],
    where,
    _count: { _all: true },
    _min: { startedAt: true },
    _max: { startedAt: true },
  });
  const count = groups.reduce((n, g) => n + g._count._all, 0);
  if (!count) return null;
  const first = new Date(Math.min(...groups.map((g) => g._min.startedAt!.getTime())));
  const last = new Date(Math.max(...groups.map((g) => g._max.startedAt!.getTime())));

  const recent = await prisma.deliveryAttempt.findMany({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: RECENT_LIMIT,
    select: { deliveryId: true, startedAt: true, statusCode: true, errorClass: true, errorMessage: true, parsedError: true },
  });

  const data: ErrorReportData = {
    ruleTitle: rule.title,
    count,
    since: previous ? iso(previous) : null,
    first: iso(first),
    last: iso(last),
    statuses: groups.map((g) => ({ statusCode: g.statusCode, errorClass: g.errorClass, count: g._count._all })),
    recent: recent.map((a) => {
      const parsed = parsedErrorSchema.parse(a.parsedError);
      const message = a.errorMessage ?? parsed?.message ?? parsed?.code ?? null;
      return { deliveryId: a.deliveryId, at: iso(a.startedAt), statusCode: a.statusCode, errorClass: a.errorClass, message: message ? message.slice(0, 200) : null };
    }),
  };
  const content = errorReportContent(data);

  return prisma.$transaction(async (tx) => {
    const claimed = await tx.$executeRaw`
      UPDATE "WebhookRule" SET "lastErrorReportAt" = ${iso(now)}::timestamptz AT TIME ZONE 'UTC'
      WHERE id = ${ruleId}
        AND ("lastErrorReportAt" IS NULL OR "lastErrorReportAt" <= ${iso(new Date(now.getTime() - REPORT_INTERVAL_MS))}::timestamptz AT TIME ZONE 'UTC')`;
    if (claimed !== 1) return null; // another dispatcher sent this hour's report
    return createNotification(tx, { organizationId: rule.organizationId, ruleId, kind: "ERROR_REPORT", content, now });
  });
}

/**
 * Sends the reports that are waiting only for their hour to pass: rules reported on 1 to 25 hours
 * ago with failed attempts since. Cheap when there are none (rules are few; the EXISTS looks at
 * those rules' recent deliveries only).
 */
export async function flushErrorReports(prisma: PrismaClient, now: Date): Promise<number> {
  const due = await prisma.$queryRaw<{ id: string }[]>`
    SELECT r.id FROM "WebhookRule" r
    WHERE r."lastErrorReportAt" <= ${iso(new Date(now.getTime() - REPORT_INTERVAL_MS))}::timestamptz AT TIME ZONE 'UTC'
      AND r."lastErrorReportAt" > ${iso(new Date(now.getTime() - REPORT_INTERVAL_MS - FIRST_REPORT_LOOKBACK_MS))}::timestamptz AT TIME ZONE 'UTC'
      AND EXISTS (
        SELECT 1 FROM "Delivery" d JOIN "DeliveryAttempt" a ON a."deliveryId" = d.id
        WHERE d."ruleId" = r.id AND d."createdAt" > r."lastErrorReportAt" - interval '7 days'
          AND a."startedAt" > r."lastErrorReportAt" AND a."startedAt" <= ${iso(now)}::timestamptz AT TIME ZONE 'UTC'
          AND (a."statusCode" >= 300 OR a."errorClass" IS NOT NULL))`;
  let created = 0;
  for (const { id } of due) if (await reportRuleErrors(prisma, id, now)) created++;
  return created;
}
