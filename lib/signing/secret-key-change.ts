import type { PrismaClient } from "@/lib/generated/prisma/client";
import { printable } from "@/lib/core/printable";
import { decryptSecret, decrypts, encryptSecret } from "@/lib/security/crypto";
import { createSigningKey } from "./organization-keys";

// Changing APP_SECRET_KEY, the key every stored secret is encrypted with (AES-256-GCM): the
// organizations' signing keys (SigningKey.secretEncrypted), and each rule's credentials
// (authConfigEncrypted) and own signing secrets (signingSecretEncrypted, previousSecretEncrypted).
// Run with every process stopped (`npm run cli -- secret-key …`): a process still running with the
// other key would fail every delivery it sends.
//
// - changeSecretKey: both keys known. Every value is decrypted with the old key and encrypted with
//   the new one, in one transaction. Values the new key reads already (a second run) are left as
//   they are. A signing key in use that neither key reads means the old key given is not the
//   deployment's: nothing is changed (KeyChangeError). Credentials and rule secrets neither key
//   reads (left over from a key lost before) are reported and left, as are rotated-out signing keys
//   that sign no more.
// - recoverLostSecretKey: the old key is lost. What can never be read again is replaced or
//   cleared so the deployment works again, and what its admins must do is reported: each
//   organization whose signing key is unreadable gets a new one (its receivers need it); a rule's
//   own signing secret that is unreadable is cleared (the rule signs with its organization's key);
//   credentials that are unreadable are left in place (they are entered again on the rule's
//   Authentication tab; the old key, if it turns up, still reads them with changeSecretKey).

type Db = Pick<PrismaClient, "$transaction">;
/** A transaction of a key change. */
export type KeyChangeTx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
/**
 * Runs first in a key change's transaction: the caller's check that no other process would write
 * secrets with the other key (it throws to change nothing; what it locks stays locked to the commit).
 */
export type KeyChangeGuard = (tx: KeyChangeTx) => Promise<void>;

/** A rule in a report: enough for an operator to find it. */
export interface RuleRef {
  id: string;
  title: string;
  organization: string;
}

/** The old key given does not read the signing keys in use: nothing was changed. */
export class KeyChangeError extends Error {
  constructor(readonly unreadable: { organization: string; id: string }[]) {
    super(
      `OLD_APP_SECRET_KEY does not read these signing keys in use, so it is not the key this database's secrets were encrypted with; nothing was changed:\n${unreadable.map((k) => `    ${printable(k.organization)}: signing key ${k.id}`).join("\n")}\nIf that key is lost, start from \`secret-key recover\` with APP_SECRET_KEY set to the new key.`,
    );
    this.name = "KeyChangeError";
  }
}

export interface KeyChangeReport {
  /** Values now encrypted with the new key that were not before. */
  reencrypted: { signingKeys: number; credentials: number; ruleSecrets: number };
  /** Values the new key already read: left as they were. */
  alreadyNew: number;
  /** Values neither key reads: left as they were. */
  unreadable: { credentials: RuleRef[]; ruleSecrets: RuleRef[] };
}

export interface LostKeyReport {
  /** Organizations given a new signing key: their receivers must be given it (Settings shows it). */
  newSigningKeys: string[];
  /** Rules whose own signing secret was cleared: they sign with their organization's key now. */
  ruleSecretsCleared: RuleRef[];
  /** Rules whose previous secret, still in its grace period, stopped signing (their current one signs on). */
  previousSecretsCleared: RuleRef[];
  /** Rules whose credentials must be entered again on their Authentication tab. */
  credentialsToEnter: RuleRef[];
  /** Whether the changes were written (false: a dry run, the report says what would be done). */
  applied: boolean;
}

/** Each organization's name by id, and the rules with something encrypted, with their columns. */
async function loadEncrypted(tx: KeyChangeTx) {
  const orgs = new Map((await tx.organization.findMany({ select: { id: true, name: true } })).map((o) => [o.id, o.name]));
  const keys = await tx.signingKey.findMany({ select: { id: true, organizationId: true, secretEncrypted: true, expiresAt: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const rules = await tx.webhookRule.findMany({
    where: { OR: [{ authConfigEncrypted: { not: null } }, { signingSecretEncrypted: { not: null } }, { previousSecretEncrypted: { not: null } }] },
    select: { id: true, title: true, organizationId: true, authConfigEncrypted: true, signingSecretEncrypted: true, previousSecretEncrypted: true, previousSecretExpiresAt: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  const ref = (r: (typeof rules)[number]): RuleRef => ({ id: r.id, title: r.title, organization: orgs.get(r.organizationId) ?? r.organizationId });
  return { orgs, keys, rules, ref };
}

/** Re-encrypts every stored secret from `oldKey` to `newKey` (one transaction). */
export async function changeSecretKey(db: Db, oldKey: string, newKey: string, { now = new Date(), guard }: { now?: Date; guard?: KeyChangeGuard } = {}): Promise<KeyChangeReport> {
  const report: KeyChangeReport = { reencrypted: { signingKeys: 0, credentials: 0, ruleSecrets: 0 }, alreadyNew: 0, unreadable: { credentials: [], ruleSecrets: [] } };
  // The value under the new key, or null when it is left as it is (counted in the report).
  const moved = (stored: string, unreadable: () => void): string | null => {
    if (decrypts(stored, newKey)) {
      report.alreadyNew++;
      return null;
    }
    let plain: string;
    try {
      plain = decryptSecret(stored, oldKey);
    } catch {
      unreadable();
      return null;
    }
    return encryptSecret(plain, newKey);
  };
  await db.$transaction(
    async (tx) => {
      await guard?.(tx);
      const { orgs, keys, rules, ref } = await loadEncrypted(tx);
      const blocking: { organization: string; id: string }[] = [];
      for (const k of keys) {
        const inUse = k.expiresAt === null || k.expiresAt > now;
        const next = moved(k.secretEncrypted, () => inUse && blocking.push({ organization: orgs.get(k.organizationId) ?? k.organizationId, id: k.id }));
        if (next === null) continue;
        await tx.signingKey.update({ where: { id: k.id }, data: { secretEncrypted: next } });
        report.reencrypted.signingKeys++;
      }
      if (blocking.length) throw new KeyChangeError(blocking); // the transaction is rolled back
      for (const r of rules) {
        const data: { authConfigEncrypted?: string; signingSecretEncrypted?: string; previousSecretEncrypted?: string } = {};
        let secretUnreadable = false;
        if (r.authConfigEncrypted) {
          const next = moved(r.authConfigEncrypted, () => report.unreadable.credentials.push(ref(r)));
          if (next !== null) (data.authConfigEncrypted = next), report.reencrypted.credentials++;
        }
        for (const column of ["signingSecretEncrypted", "previousSecretEncrypted"] as const) {
          const stored = r[column];
          if (!stored) continue;
          // A previous secret past its grace period signs no more: unreadable, it is no one's concern.
          const inUse = column === "signingSecretEncrypted" || (r.previousSecretExpiresAt !== null && r.previousSecretExpiresAt > now);
          const next = moved(stored, () => (secretUnreadable ||= inUse));
          if (next !== null) (data[column] = next), report.reencrypted.ruleSecrets++;
        }
        if (secretUnreadable) report.unreadable.ruleSecrets.push(ref(r));
        if (Object.keys(data).length) await tx.webhookRule.update({ where: { id: r.id }, data });
      }
    },
    { timeout: 120_000 },
  );
  return report;
}

/**
 * After APP_SECRET_KEY was lost: makes the deployment work with `key` again (see above). With
 * `apply` false nothing is written; the report says what would be done.
 */
export async function recoverLostSecretKey(db: Db, key: string, { apply, now = new Date(), guard }: { apply: boolean; now?: Date; guard?: KeyChangeGuard }): Promise<LostKeyReport> {
  const report: LostKeyReport = { newSigningKeys: [], ruleSecretsCleared: [], previousSecretsCleared: [], credentialsToEnter: [], applied: apply };
  await db.$transaction(
    async (tx) => {
      if (apply) await guard?.(tx);
      const { orgs, keys, rules, ref } = await loadEncrypted(tx);
      // An organization needs a new key when its current one is unreadable. Every unreadable key it
      // has stops signing now (one still in its grace period would fail every delivery).
      const unreadable = keys.filter((k) => (k.expiresAt === null || k.expiresAt > now) && !decrypts(k.secretEncrypted, key));
      const byOrg = new Set(unreadable.map((k) => k.organizationId));
      for (const organizationId of byOrg) {
        const current = keys.find((k) => k.organizationId === organizationId && k.expiresAt === null);
        const needsNew = !current || unreadable.includes(current);
        if (needsNew) report.newSigningKeys.push(orgs.get(organizationId) ?? organizationId);
        if (!apply) continue;
        await tx.signingKey.updateMany({ where: { id: { in: unreadable.filter((k) => k.organizationId === organizationId).map((k) => k.id) } }, data: { expiresAt: now } });
        if (needsNew) await createSigningKey(tx, organizationId, key);
      }
      for (const r of rules) {
        if (r.authConfigEncrypted && !decrypts(r.authConfigEncrypted, key)) report.credentialsToEnter.push(ref(r));
        const current = r.signingSecretEncrypted && !decrypts(r.signingSecretEncrypted, key);
        const inGrace = r.previousSecretExpiresAt !== null && r.previousSecretExpiresAt > now;
        const previous = inGrace && r.previousSecretEncrypted && !decrypts(r.previousSecretEncrypted, key);
        if (!current && !previous) continue;
        // A readable current secret keeps signing; an unreadable one leaves the rule to its
        // organization's key. An unreadable previous one still in its grace period stops signing
        // now (one past it signs no more: left as it is).
        if (current) report.ruleSecretsCleared.push(ref(r));
        else report.previousSecretsCleared.push(ref(r));
        if (apply) {
          await tx.webhookRule.update({
            where: { id: r.id },
            data: current
              ? { signingSecretEncrypted: null, previousSecretEncrypted: null, previousSecretExpiresAt: null }
              : { previousSecretEncrypted: null, previousSecretExpiresAt: null },
          });
        }
      }
    },
    { timeout: 120_000 },
  );
  return report;
}
