import { EnvError } from "@/lib/core/env";
import { utc, type Sql } from "@/lib/db/sql";
import { decrypts } from "@/lib/security/crypto";

// Every process of a deployment must use the same APP_SECRET_KEY. One started with another key
// runs as if nothing were wrong until it needs a stored secret: a worker would claim deliveries and
// fail every one of them, blaming the rule's credentials. So each process, as it starts, decrypts
// the signing secrets in use and refuses to start when it cannot.

const RECOVER = "If that key is lost, `npm run cli -- secret-key recover` makes the database work with a new one (README: Changing APP_SECRET_KEY)";

/**
 * Throws an EnvError naming APP_SECRET_KEY when `secret` cannot decrypt a signing secret in use:
 * an organization's current or rotated-out key still signing, a rule's own secret. Every
 * organization has one, so a deployment started with another key is refused; so is one where some
 * secrets were written with another key (a process left running on the old key after a rotation),
 * whose deliveries would all fail. One AES-GCM decryption each: milliseconds for thousands.
 * Credentials are not checked: `secret-key recover` leaves unreadable ones to be entered again.
 */
export async function checkSecretKey(q: Sql, secret: string, now = new Date()): Promise<void> {
  const rows = await q.query<{ kind: "org" | "rule"; id: string; value: string }>(
    `SELECT 'org' AS kind, "organizationId" AS id, "secretEncrypted" AS value FROM "SigningKey" WHERE "expiresAt" IS NULL OR "expiresAt" > ${utc("$1")}
     UNION ALL SELECT 'rule', id, "signingSecretEncrypted" FROM "WebhookRule" WHERE "signingSecretEncrypted" IS NOT NULL
     UNION ALL SELECT 'rule', id, "previousSecretEncrypted" FROM "WebhookRule" WHERE "previousSecretEncrypted" IS NOT NULL AND "previousSecretExpiresAt" > ${utc("$1")}`,
    [now.toISOString()],
  );
  const unreadable = rows.filter((r) => !decrypts(r.value, secret));
  if (!unreadable.length) return;
  if (unreadable.length === rows.length) {
    throw new EnvError(
      `Invalid environment configuration:\n  APP_SECRET_KEY: does not match the key this database's secrets (signing keys, credentials) were encrypted with: use the same APP_SECRET_KEY in every process (web and worker) of this deployment. ${RECOVER}`,
    );
  }
  const orgs = new Set(unreadable.filter((r) => r.kind === "org").map((r) => r.id));
  const rules = new Set(unreadable.filter((r) => r.kind === "rule").map((r) => r.id));
  const count = (n: number, one: string, many: string) => (n === 1 ? `1 ${one}` : `${n} ${many}`);
  const which = [orgs.size ? count(orgs.size, "organization's signing keys", "organizations' signing keys") : "", rules.size ? count(rules.size, "rule's own signing secret", "rules' own signing secrets") : ""]
    .filter(Boolean)
    .join(" and ");
  throw new EnvError(
    `Invalid environment configuration:\n  APP_SECRET_KEY: reads some of this database's signing secrets but not ${which} (written with another key, by a process that ran with it), whose deliveries would all fail. With that key, \`OLD_APP_SECRET_KEY=<it> npm run cli -- secret-key rotate\` re-encrypts them. ${RECOVER}`,
  );
}
