import type { PrismaClient } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/core/ids";
import type { Decision } from "../policy/outcome";

// Recording a batch, in one transaction: every attempt in one insert, every delivery's outcome in
// one set-based UPDATE, and the rules whose endpoint answered 410 Gone disabled.

const GONE_DISABLED_REASON = "The endpoint answered 410 Gone";

export async function recordBatch(prisma: PrismaClient, owner: string, decisions: Decision[], now: Date): Promise<void> {
  const attempts = decisions.flatMap((d) => (d.attempt ? [{ id: newId("att"), ...d.attempt }] : []));
  const goneRules = [...new Set(decisions.flatMap((d) => (d.goneRuleId ? [d.goneRuleId] : [])))];
  await prisma.$transaction(async (tx) => {
    if (attempts.length) await tx.deliveryAttempt.createMany({ data: attempts });
    // The lease owner check keeps a dispatcher whose lease already expired (and was taken over)
    // from overwriting the newer outcome.
    await tx.$executeRawUnsafe(
      `UPDATE "Delivery" d SET
         state = v.state::"DeliveryState", "attemptCount" = v."attemptCount",
         "nextAttemptAt" = v."nextAttemptAt"::timestamptz AT TIME ZONE 'UTC',
         "lastStatusCode" = v."lastStatusCode", "lastError" = v."lastError",
         "responseValues" = COALESCE(v."responseValues", d."responseValues"),
         "completedAt" = v."completedAt"::timestamptz AT TIME ZONE 'UTC',
         "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = now() AT TIME ZONE 'UTC'
       FROM jsonb_to_recordset($1::jsonb) AS v(id text, state text, "attemptCount" int, "nextAttemptAt" text, "lastStatusCode" int, "lastError" text, "responseValues" jsonb, "completedAt" text)
       WHERE d.id = v.id AND d."leaseOwner" = $2`,
      JSON.stringify(decisions.map((d) => d.outcome)),
      owner,
    );
    if (goneRules.length) {
      await tx.webhookRule.updateMany({
        where: { id: { in: goneRules }, enabled: true },
        data: { enabled: false, disabledAt: now, disabledReason: GONE_DISABLED_REASON },
      });
    }
  });
}
