import { EnvError } from "@/lib/core/env";
import type { Sql } from "@/lib/db/sql";
import { decryptSecret } from "@/lib/security/crypto";

// Every process of a deployment must use the same APP_SECRET_KEY. One started with another key
// runs as if nothing were wrong until it needs a stored secret: a worker would claim deliveries and
// fail every one of them, blaming the rule's credentials. So each process, as it starts, decrypts
// one stored secret and refuses to start when it cannot.

/**
 * Throws an EnvError naming APP_SECRET_KEY when `secret` cannot decrypt the newest organization
 * signing key. Every organization gets one when it is created, and the newest was written with the
 * key the deployment uses now (a database without organizations passes). One small row: cheap.
 */
export async function checkSecretKey(q: Sql, secret: string): Promise<void> {
  const rows = await q.query<{ secretEncrypted: string }>(`SELECT "secretEncrypted" FROM "SigningKey" ORDER BY "createdAt" DESC, id DESC LIMIT 1`);
  if (!rows.length) return;
  try {
    decryptSecret(rows[0]!.secretEncrypted, secret);
  } catch {
    throw new EnvError(
      `Invalid environment configuration:\n  APP_SECRET_KEY: does not match the key this database's secrets (signing keys, credentials) were encrypted with: use the same APP_SECRET_KEY in every process (web and worker) of this deployment. If that key is lost, \`npm run cli -- secret-key recover\` makes the database work with a new one (README: Changing APP_SECRET_KEY)`,
    );
  }
}
