import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { createNotification } from "./create";
import { errorReportContent, RECENT_LIMIT, type ErrorReportData } from "./content";

// Error reports (MetaLocator's "error report" emails): when a rule's delivery attempt fails
// (status 300 or more, or 999: DNS, connect, TLS, timeout), its organization hears about it at
// most once an hour per rule. A report covers every failed attempt no earlier report took, so the
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

// An attempt is recorded when its batch finishes, after it started: one still in flight on another
// dispatcher when a report is made commits later with an earlier start. Reports therefore look
// back this much further than the previous report and take only attempts no report has taken yet.
const IN_FLIGHT_MS = 10 * 60_000;

function failedAttemptsWhere(ruleId: string, organizationId: string, since: Date, now: Date): Prisma.DeliveryAttemptWhereInput {
  return {
    delivery: { ruleId, organizationId, createdAt: { gt: new Date(since.getTime() - DELIVERY_AGE_BOUND_MS) } },
    reportedAt: null,
    startedAt: { gt: since, lte: now },
    OR: [{ statusCode: { gte: 300 } }, { errorClass: { not: null } }],
  };
}

interface ReportedAttempt {
  deliveryId: string;
  startedAt: Date;
  statusCode: number;
  errorClass: string | null;
  errorMessage: string | null;
  parsedError: unknown;
}

class NothingToReport extends Error {}

/** The report's figures from exactly the attempts it took in. */
function reportData(ruleTitle: string, previous: Date | null, attempts: ReportedAttempt[]): ErrorReportData {
  // Oldest first, so equal counts keep the order the failures came in.
  const ordered = [...attempts].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
  const groups = new Map<string, ErrorReportData["statuses"][number]>();
  for (const a of ordered) {
    const key = `${a.statusCode}|${a.errorClass ?? ""}`;
    const g = groups.get(key) ?? { statusCode: a.statusCode, errorClass: a.errorClass, count: 0 };
    g.count++;
    groups.set(key, g);
  }
  const times = attempts.map((a) => a.startedAt.getTime());
  const recent = ordered.slice(-RECENT_LIMIT).reverse();
  return {
    ruleTitle,
    count: attempts.length,
    since: previous ? iso(previous) : null,
    first: iso(new Date(Math.min(...times))),
    last: iso(new Date(Math.max(...times))),
    statuses: [...groups.values()],
    recent: recent.map((a) => {
      const parsed = parsedErrorSchema.parse(a.parsedError);
      const message = a.errorMessage ?? parsed?.message ?? parsed?.code ?? null;
      return { deliveryId: a.deliveryId, at: iso(a.startedAt), statusCode: a.statusCode, errorClass: a.errorClass, message: message ? message.slice(0, 200).replace(/[\uD800-\uDBFF]$/, "") : null }; // never half an emoji: jsonb refuses a lone surrogate
    }),
  };
}

/**
 * Creates the rule's error report when one is due (none in the last hour) and there are failed
 * attempts no report has taken yet. Returns the notification id, or null when nothing was due.
 * Two dispatchers may call this at once: the conditional UPDATE lets only one of them claim the
 * hour, and the same transaction marks the attempts it reports, so each failure is reported once.
 */
export async function reportRuleErrors(prisma: PrismaClient, ruleId: string, now: Date): Promise<string | null> {
  const rule = await prisma.webhookRule.findUnique({ where: { id: ruleId }, select: { organizationId: true, title: true, lastErrorReportAt: true } });
  if (!rule) return null;
  const previous = rule.lastErrorReportAt;
  if (previous && previous.getTime() > now.getTime() - REPORT_INTERVAL_MS) return null; // throttled: the next report carries them
  const since = new Date((previous ?? new Date(now.getTime() - FIRST_REPORT_LOOKBACK_MS)).getTime() - IN_FLIGHT_MS);
  // Cheap check first, so an hour is never claimed for nothing.
  if (!(await prisma.deliveryAttempt.findFirst({ where: failedAttemptsWhere(ruleId, rule.organizationId, since, now), select: { id: true } }))) return null;

  try {
    return await prisma.$transaction(async (tx) => {
      const claimed = await tx.$executeRaw`
        UPDATE "WebhookRule" SET "lastErrorReportAt" = ${iso(now)}::timestamptz AT TIME ZONE 'UTC'
        WHERE id = ${ruleId}
          AND ("lastErrorReportAt" IS NULL OR "lastErrorReportAt" <= ${iso(new Date(now.getTime() - REPORT_INTERVAL_MS))}::timestamptz AT TIME ZONE 'UTC')`;
      if (claimed !== 1) return null; // another dispatcher sent this hour's report
      const attempts = await tx.$queryRaw<ReportedAttempt[]>`
        UPDATE "DeliveryAttempt" a SET "reportedAt" = ${iso(now)}::timestamptz AT TIME ZONE 'UTC'
        FROM "Delivery" d
        WHERE a."deliveryId" = d.id AND d."ruleId" = ${ruleId} AND d."organizationId" = ${rule.organizationId}
          AND d."createdAt" > ${iso(new Date(since.getTime() - DELIVERY_AGE_BOUND_MS))}::timestamptz AT TIME ZONE 'UTC'
          AND a."reportedAt" IS NULL
          AND a."startedAt" > ${iso(since)}::timestamptz AT TIME ZONE 'UTC' AND a."startedAt" <= ${iso(now)}::timestamptz AT TIME ZONE 'UTC'
          AND (a."statusCode" >= 300 OR a."errorClass" IS NOT NULL)
        RETURNING a."deliveryId", a."startedAt", a."statusCode", a."errorClass", a."errorMessage", a."parsedError"`;
      // Taken by a concurrent report between the check and the claim: undo the claim.
      if (!attempts.length) throw new NothingToReport();
      const content = errorReportContent(reportData(rule.title, previous, attempts));
      return createNotification(tx, { organizationId: rule.organizationId, ruleId, kind: "ERROR_REPORT", content, now });
    });
  } catch (err) {
    if (err instanceof NothingToReport) return null;
    throw err;
  }
}

/**
 * The reports flushErrorReports looks for: of rules last reported on within this window (1 to 25
 * hours ago), as ISO text, `after` exclusive and `until` inclusive.
 */
export function flushWindow(now: Date): { after: string; until: string } {
  return { after: iso(new Date(now.getTime() - REPORT_INTERVAL_MS - FIRST_REPORT_LOOKBACK_MS)), until: iso(new Date(now.getTime() - REPORT_INTERVAL_MS)) };
}

/**
 * Sends the reports that are waiting only for their hour to pass: rules reported on 1 to 25 hours
 * ago with failed attempts since. Cheap when there are none (rules are few; the EXISTS looks at
 * those rules' recent deliveries only).
 */
export async function flushErrorReports(prisma: PrismaClient, now: Date): Promise<number> {
  const window = flushWindow(now);
  const due = await prisma.$queryRaw<{ id: string }[]>`
    SELECT r.id FROM "WebhookRule" r
    WHERE r."lastErrorReportAt" <= ${window.until}::timestamptz AT TIME ZONE 'UTC'
      AND r."lastErrorReportAt" > ${window.after}::timestamptz AT TIME ZONE 'UTC'
      AND EXISTS (
        SELECT 1 FROM "Delivery" d JOIN "DeliveryAttempt" a ON a."deliveryId" = d.id
        WHERE d."ruleId" = r.id AND d."createdAt" > r."lastErrorReportAt" - interval '7 days'
          AND a."reportedAt" IS NULL AND a."startedAt" > r."lastErrorReportAt" - interval '10 minutes'
          AND a."startedAt" <= ${iso(now)}::timestamptz AT TIME ZONE 'UTC'
          AND (a."statusCode" >= 300 OR a."errorClass" IS NOT NULL))`;
  let created = 0;
  for (const { id } of due) if (await reportRuleErrors(prisma, id, now)) created++;
  return created;
}
