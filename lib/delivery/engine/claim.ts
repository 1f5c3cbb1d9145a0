import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { RuleRow } from "@/lib/domain/rule";
import type { RuleSecretColumns } from "@/lib/signing/rule-secrets";
import type { ClaimedDelivery } from "../policy/outcome";

// Claiming: due deliveries are leased to one dispatcher (FOR UPDATE SKIP LOCKED, so several
// processes on one PostgreSQL never claim the same row), with what sending them needs from their
// rule and organization read in the same statement.

/** A claimed delivery with the parts of its rule (RuleRow's columns) that sending needs. */
export interface Claimed
  extends ClaimedDelivery,
    Pick<RuleRow, "signatureScheme" | "timeoutMs" | "retryPolicy" | "authType" | "authConfigEncrypted" | "responseRules" | "timeWindow">,
    RuleSecretColumns {
  requestBody: string;
  ruleEnabled: boolean;
  webhooksEnabled: boolean;
}

export async function claimDue(prisma: PrismaClient, owner: string, now: Date, leaseMs: number, limit: number): Promise<Claimed[]> {
  return prisma.$queryRawUnsafe<Claimed[]>(
    `WITH due AS (
       SELECT id FROM "Delivery"
       WHERE state = 'PENDING' AND "nextAttemptAt" <= $2::timestamptz AT TIME ZONE 'UTC'
         AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < $2::timestamptz AT TIME ZONE 'UTC')
       ORDER BY "nextAttemptAt"
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE "Delivery" d
     SET "leaseOwner" = $1, "leaseExpiresAt" = $3::timestamptz AT TIME ZONE 'UTC'
     FROM due, "WebhookRule" r, "Organization" o
     WHERE d.id = due.id AND r.id = d."ruleId" AND o.id = d."organizationId"
     RETURNING d.id, d."organizationId", d."ruleId", d.url, d.method, d."requestHeaders", d."requestBody", d."attemptCount",
               r."signatureScheme"::text AS "signatureScheme", r."timeoutMs", r."retryPolicy", r.enabled AS "ruleEnabled",
               r."authType"::text AS "authType", r."authConfigEncrypted", r."responseRules", r."timeWindow",
               r."signingSecretEncrypted", r."previousSecretEncrypted", r."previousSecretExpiresAt", r."consecutiveFailures",
               o."webhooksEnabled"`,
    owner,
    now.toISOString(),
    new Date(now.getTime() + leaseMs).toISOString(),
    limit,
  );
}
