import type { PrismaClient } from "@/lib/generated/prisma/client";
import { getSigningKeys } from "./organization-keys";
import { ruleSigningSecrets, type RuleSecretColumns } from "./rule-secrets";

// Which secrets sign a rule's requests: the rule's own when it has one (created through the REST
// API), else the organization's keys. Deliveries and Test Connection both sign this way.

/** The organization's keys that sign: the current one, then those still in their grace period. */
export async function organizationSigningSecrets(tx: Pick<PrismaClient, "signingKey">, organizationId: string): Promise<string[]> {
  const keys = await getSigningKeys(tx, organizationId);
  return [keys.current.secret, ...keys.previous.map((k) => k.secret)];
}

/**
 * The secrets that sign a request of `rule` (null: an unsaved rule). The rule's own secrets are
 * decrypted at once, so one that cannot be decrypted throws before this returns; the
 * organization's are read through `organizationSecrets` (a caller signing many rules reads them
 * once), and a failure there rejects the promise instead.
 */
export function secretsThatSign(rule: RuleSecretColumns | null, now: Date, organizationSecrets: () => Promise<string[]>): Promise<string[]> {
  const own = rule ? ruleSigningSecrets(rule, now) : null;
  return own ? Promise.resolve(own) : organizationSecrets();
}
