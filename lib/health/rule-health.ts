import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { HealthEntry } from "@/lib/delivery/policy/outcome";
import { limiter } from "@/lib/core/limiter";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { createNotification } from "@/lib/notifications/create";
import { INTERNAL_ERROR } from "@/lib/domain/attempt";
import { disabledContent, GONE_REASON, isReportableFailure, thresholdReason, warningContent, warningLevelFor } from "@/lib/notifications/content";
import { reportRuleErrors } from "@/lib/notifications/error-reports";

// A rule's health, fed by the dispatcher after each batch: consecutive failed deliveries, the
// warnings at 50/75/90 % of the organization's threshold, the automatic disable at the threshold
// (or at once on 410 Gone), and the hourly error reports. Every change is a conditional UPDATE,
// so several dispatchers on one PostgreSQL never send a warning, a disable notice or an hour's
// report twice.

/** One attempt's entry in the dispatcher's report (see HealthEntry). */
export type RuleHealthInput = HealthEntry;

/** failureWarningLevel once the disable notice went out; warnings stop there. */
export const DISABLED_LEVEL = 100;

/** Re-enabling a rule clears its disable, its streak and any circuit-breaker pause (spread this into any update that enables one). */
export const HEALTH_RESET = { disabledReason: null, disabledAt: null, consecutiveFailures: 0, failureWarningLevel: 0, pausedUntil: null, pauseReason: null } as const;

export interface BatchTally {
  /** A delivery succeeded: the streak restarts from the failures after the last success. */
  reset: boolean;
  /** Deliveries that ended FAILED (after the last success, when there was one). */
  failed: number;
  /** Every success says the rule's counter was already 0: nothing to write for them. */
  successesClean: boolean;
  /** An attempt the error report counts (status ≥ 300 or no response). */
  reportable: boolean;
  /** When the first 410 Gone answer came, if any. */
  goneAt: Date | null;
}

/** What one batch's entries for one rule amount to, in the order the attempts were made. */
export function tallyRule(entries: RuleHealthInput[]): BatchTally {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  let reset = false;
  let failed = 0;
  let successesClean = true;
  let reportable = false;
  let goneAt: Date | null = null;
  for (const e of sorted) {
    // A fault of Leadhooks's own while sending says nothing of the rule or its endpoint: it neither
    // counts towards auto-disable and the failure warnings nor ends a streak (it disabled healthy
    // rules, telling their admins to check the endpoint). The delivery is retried as usual.
    if (e.errorClass === INTERNAL_ERROR) continue;
    if (e.outcome === "SUCCEEDED") {
      reset = true;
      failed = 0;
      if (e.ruleConsecutiveFailures !== 0) successesClean = false;
      continue;
    }
    if (e.outcome === "FAILED") failed++;
    if (isReportableFailure(e.statusCode, e.errorClass)) reportable = true;
    if (e.statusCode === 410 && !goneAt) goneAt = e.at;
  }
  return { reset, failed, successesClean, reportable, goneAt };
}

const iso = (d: Date) => d.toISOString();

interface Counted {
  organizationId: string;
  title: string;
  enabled: boolean;
  consecutiveFailures: number;
  failureWarningLevel: number;
  threshold: number;
}

async function count(prisma: PrismaClient, ruleId: string, tally: BatchTally): Promise<Counted | undefined> {
  // One statement: concurrent batches for the same rule add up instead of overwriting each other.
  const rows = await prisma.$queryRaw<Counted[]>`
    UPDATE "WebhookRule" r SET
      "consecutiveFailures" = CASE WHEN ${tally.reset}::boolean THEN ${tally.failed}::int ELSE r."consecutiveFailures" + ${tally.failed}::int END,
      "failureWarningLevel" = CASE WHEN ${tally.reset}::boolean THEN 0 ELSE r."failureWarningLevel" END
    FROM "Organization" o
    WHERE r.id = ${ruleId} AND o.id = r."organizationId"
    RETURNING r."organizationId", r.title, r.enabled, r."consecutiveFailures", r."failureWarningLevel", o."autoDisableThreshold" AS threshold`;
  return rows[0];
}

/**
 * Disables the rule and stores the notice. `gone`: a 410 also notifies for a rule the dispatcher
 * itself disabled a moment ago (no notice sent yet); otherwise only a rule still enabled is.
 */
async function disable(prisma: PrismaClient, ruleId: string, reason: string, now: Date, goneAt: Date | null): Promise<void> {
  const recently = iso(new Date((goneAt ?? now).getTime() - 5 * 60_000));
  const rows = await prisma.$queryRaw<{ organizationId: string; title: string; consecutiveFailures: number; disabledReason: string | null }[]>`
    UPDATE "WebhookRule" SET
      enabled = false,
      "disabledAt" = CASE WHEN enabled THEN ${iso(now)}::timestamptz AT TIME ZONE 'UTC' ELSE "disabledAt" END,
      "disabledReason" = CASE WHEN enabled THEN ${reason} ELSE COALESCE("disabledReason", ${reason}) END,
      "failureWarningLevel" = ${DISABLED_LEVEL}::int
    WHERE id = ${ruleId}
      AND (enabled OR (${goneAt !== null}::boolean AND "failureWarningLevel" < ${DISABLED_LEVEL}::int AND "disabledAt" >= ${recently}::timestamptz AT TIME ZONE 'UTC'))
    RETURNING "organizationId", title, "consecutiveFailures", "disabledReason"`;
  const rule = rows[0];
  if (!rule) return;
  const content = disabledContent({ ruleTitle: rule.title, failures: rule.consecutiveFailures, reason: rule.disabledReason ?? reason });
  await createNotification(prisma, { organizationId: rule.organizationId, ruleId, kind: "RULE_DISABLED", content, now });
}

async function warn(prisma: PrismaClient, ruleId: string, rule: Counted, level: number, now: Date): Promise<void> {
  const claimed = await prisma.$executeRaw`
    UPDATE "WebhookRule" SET "failureWarningLevel" = ${level}::int
    WHERE id = ${ruleId} AND enabled AND "failureWarningLevel" < ${level}::int`;
  if (claimed !== 1) return;
  const content = warningContent({ ruleTitle: rule.title, failures: rule.consecutiveFailures, threshold: rule.threshold, level });
  await createNotification(prisma, { organizationId: rule.organizationId, ruleId, kind: "FAILURE_WARNING", content, now });
}

// Rules this process counted failures for since it last set their streak back to 0. A success
// says the streak was 0 as its delivery was claimed (or handed), which a failure counted after that
// moment, and before the success was recorded, makes stale: the success of such a rule is not
// taken as clean. Kept on globalThis: Next.js bundles the server in several chunks.
const streakingKey = Symbol.for("leadhooks.rules-streaking");
const streaking = (): Set<string> => ((globalThis as { [streakingKey]?: Set<string> })[streakingKey] ??= new Set());

async function recordOne(prisma: PrismaClient, ruleId: string, entries: RuleHealthInput[], now: Date): Promise<void> {
  const tally = tallyRule(entries);
  if (tally.failed > 0) {
    const rule = await count(prisma, ruleId, tally);
    if (rule && rule.consecutiveFailures > 0) streaking().add(ruleId);
    if (rule?.enabled) {
      if (rule.consecutiveFailures >= rule.threshold) await disable(prisma, ruleId, thresholdReason(rule.threshold), now, null);
      else {
        const level = warningLevelFor(rule.consecutiveFailures, rule.threshold);
        if (level > rule.failureWarningLevel) await warn(prisma, ruleId, rule, level, now);
      }
    }
  } else if (tally.reset && (!tally.successesClean || streaking().has(ruleId))) {
    // The hot path's slow lane: a success for a rule that had failures (or whose count we weren't told).
    await prisma.$executeRaw`
      UPDATE "WebhookRule" SET "consecutiveFailures" = 0, "failureWarningLevel" = 0
      WHERE id = ${ruleId} AND ("consecutiveFailures" <> 0 OR "failureWarningLevel" <> 0)`;
    streaking().delete(ruleId);
  }
  if (tally.goneAt) await disable(prisma, ruleId, GONE_REASON, now, tally.goneAt);
  if (tally.reportable) await reportRuleErrors(prisma, ruleId, now);
}

/**
 * Called by the dispatcher after each batch (once its attempts are committed) with one entry per
 * attempt made. Never throws: a failure here is logged and must not undo the batch.
 */
export async function recordRuleHealth(prisma: PrismaClient, results: RuleHealthInput[], now: Date): Promise<void> {
  const byRule = new Map<string, RuleHealthInput[]>();
  for (const r of results) {
    const list = byRule.get(r.ruleId);
    if (list) list.push(r);
    else byRule.set(r.ruleId, [r]);
  }
  const limit = limiter(4);
  await Promise.all(
    [...byRule].map(([ruleId, entries]) =>
      limit(() =>
        recordOne(prisma, ruleId, entries, now).catch((err: unknown) => {
          console.error(`rule health (${ruleId}):`, err instanceof Error ? err.message : err);
        }),
      ),
    ),
  );
}

/**
 * Enables a disabled rule and clears its disable and failure streak. Conditional on it being
 * disabled, so two admins enabling at once get one success and one clear refusal.
 */
export async function enableRule(prisma: PrismaClient, organizationId: string, ruleId: string): Promise<{ id: string; title: string }> {
  const rule = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true, title: true } });
  if (!rule) throw new NotFoundError();
  const { count: changed } = await prisma.webhookRule.updateMany({ where: { id: ruleId, organizationId, enabled: false }, data: { enabled: true, ...HEALTH_RESET } });
  if (!changed) throw new DomainError("The rule is already enabled. Reload the page to see its current state.");
  return rule;
}
