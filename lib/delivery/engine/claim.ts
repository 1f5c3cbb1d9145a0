import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { SignatureScheme } from "@/lib/signing/signature";
import type { ClaimedDelivery } from "../policy/outcome";

// Claiming: due deliveries are leased to one dispatcher (FOR UPDATE SKIP LOCKED, so several
// processes on one PostgreSQL never claim the same row), with what sending them needs from their
// rule and organization read in the same statement.

export interface Claimed extends ClaimedDelivery {
  requestBody: string;
  signatureScheme: SignatureScheme;
  timeoutMs: number;
  retryPolicy: unknown;
  authType: string;
  authConfigEncrypted: string | null;
  responseRules: unknown;
  timeWindow: unknown;
  signingSecretEncrypted: string | null;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
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
