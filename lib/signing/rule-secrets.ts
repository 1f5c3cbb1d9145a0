import type { PrismaClient } from "@/lib/generated/prisma/client";
import { NotFoundError } from "@/lib/core/errors";
import { generateSigningSecret, getSigningKeys, ROTATION_GRACE_MS } from "@/lib/signing/organization-keys";
import { decryptSecret, encryptSecret } from "@/lib/security/crypto";

// A rule's own signing secret. Rules created through the REST API get one (returned once, in the
// create response, as LeadLex does); every other rule signs with the organization's key. Rotating
// keeps the previous secret signing beside the new one for 24 hours, so receivers can switch over.

type Tx = Pick<PrismaClient, "webhookRule">;

/** A new secret in the organization key's format: `whsec_` + base64 of 32 random bytes. */
export function generateRuleSecret(): string {
  return generateSigningSecret();
}

/** Stores `secret` (encrypted) as the rule's current secret, with no previous one. */
export async function setRuleSecret(tx: Tx, organizationId: string, ruleId: string, secret: string): Promise<void> {
  const { count } = await tx.webhookRule.updateMany({
    where: { id: ruleId, organizationId },
    data: { signingSecretEncrypted: encryptSecret(secret), previousSecretEncrypted: null, previousSecretExpiresAt: null },
  });
  if (!count) throw new NotFoundError("Webhook not found");
}

/**
 * Replaces the rule's secret; the one it replaces keeps signing until now + 24 h. A rule that
 * signed with the organization's key until now gets its first own secret, and the organization's
 * current key becomes its "previous" one for the grace period: its receiver, which verifies with
 * that key, keeps working while it switches.
 */
export async function rotateRuleSecret(prisma: PrismaClient, organizationId: string, ruleId: string, now = new Date()): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
  return prisma.$transaction(async (tx) => {
    // FOR UPDATE: two rotations at once must not both demote the same current secret.
    const rows = await tx.$queryRaw<{ signingSecretEncrypted: string | null }[]>`
      SELECT "signingSecretEncrypted" FROM "WebhookRule" WHERE id = ${ruleId} AND "organizationId" = ${organizationId} FOR UPDATE`;
    const row = rows[0];
    if (!row) throw new NotFoundError("Webhook not found");
    const previousEncrypted = row.signingSecretEncrypted ?? encryptSecret((await getSigningKeys(tx, organizationId, now)).current.secret);
    const secret = generateRuleSecret();
    const previousSecretExpiresAt = new Date(now.getTime() + ROTATION_GRACE_MS);
    await tx.webhookRule.update({
      where: { id: ruleId },
      data: { signingSecretEncrypted: encryptSecret(secret), previousSecretEncrypted: previousEncrypted, previousSecretExpiresAt },
    });
    return { secret, previousSecretExpiresAt };
  });
}

export interface RuleSecretColumns {
  signingSecretEncrypted: string | null;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
}

/**
 * The secrets a delivery of this rule is signed with: null when the rule has none of its own (sign
 * with the organization's keys), else the current secret, then the previous one while its grace
 * period runs.
 */
export function ruleSigningSecrets(row: RuleSecretColumns, now: Date): string[] | null {
  if (!row.signingSecretEncrypted) return null;
  const secrets = [decryptSecret(row.signingSecretEncrypted)];
  if (row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now.getTime()) {
    secrets.push(decryptSecret(row.previousSecretEncrypted));
  }
  return secrets;
}
