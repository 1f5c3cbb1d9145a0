import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/core/ids";
import { iso, type Sql } from "@/lib/db/sql";
import { decryptSecret, encryptSecret, maskSecret } from "@/lib/security/crypto";

export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

type Tx = Pick<PrismaClient, "signingKey">;

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/** A new current key for the organization, encrypted with `appKey` (default: APP_SECRET_KEY). */
export async function createSigningKey(tx: Tx, organizationId: string, appKey?: string): Promise<string> {
  const secret = generateSigningSecret();
  await tx.signingKey.create({ data: { id: newId("key"), organizationId, secretEncrypted: encryptSecret(secret, appKey) } });
  return secret;
}

export interface SigningKeys {
  current: { id: string; secret: string; createdAt: Date };
  /** Rotated-out keys still inside their grace period; they keep signing until expiresAt. */
  previous: { id: string; secret: string; expiresAt: Date }[];
}

export async function getSigningKeys(tx: Tx, organizationId: string, now = new Date()): Promise<SigningKeys> {
  const rows = await tx.signingKey.findMany({
    where: { organizationId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const { current, previous } = signingKeysAt(rows, organizationId, now);
  return {
    current: { id: current.id, secret: decryptSecret(current.secretEncrypted), createdAt: current.createdAt },
    previous: previous.map((r) => ({ id: r.id, secret: decryptSecret(r.secretEncrypted), expiresAt: r.expiresAt! })),
  };
}

/**
 * Which of an organization's keys (newest first) sign at `now`: the current one (no expiry), then
 * the rotated-out ones still in their grace period. Throws when there is no current key.
 */
function signingKeysAt<K extends { expiresAt: Date | null }>(rows: readonly K[], organizationId: string, now: Date): { current: K; previous: K[] } {
  const current = rows.find((r) => r.expiresAt === null);
  if (!current) throw new Error(`Organization ${organizationId} has no signing key`);
  return { current, previous: rows.filter((r) => r.expiresAt !== null && r.expiresAt.getTime() > now.getTime()) };
}

/** Replaces the current key; the old one keeps signing for ROTATION_GRACE_MS. */
export async function rotateSigningKey(prisma: PrismaClient, organizationId: string, now = new Date()): Promise<string> {
  return prisma.$transaction(async (tx) => {
    await tx.signingKey.updateMany({
      where: { organizationId, expiresAt: null },
      data: { expiresAt: new Date(now.getTime() + ROTATION_GRACE_MS) },
    });
    return createSigningKey(tx, organizationId);
  });
}

/** The current key, masked for display (whsec_••••••••abcd). */
export async function getMaskedSigningKey(tx: Tx, organizationId: string): Promise<string> {
  const { current } = await getSigningKeys(tx, organizationId);
  return maskSecret(current.secret);
}

export interface SigningKeyStatus {
  masked: string;
  /** When each rotated-out key still in its grace period stops signing, latest first. */
  previousExpiresAt: Date[];
}

/** The current key masked plus the grace periods still running: what the Settings page shows. */
export async function getSigningKeyStatus(tx: Tx, organizationId: string, now = new Date()): Promise<SigningKeyStatus> {
  const { current, previous } = await getSigningKeys(tx, organizationId, now);
  return {
    masked: maskSecret(current.secret),
    previousExpiresAt: previous.map((p) => p.expiresAt).sort((a, b) => b.getTime() - a.getTime()),
  };
}

interface KeyRow {
  secretEncrypted: string;
  expiresAt: string | null;
}

const keysKey = Symbol.for("leadhooks.signing-key-rows");
type G = typeof globalThis & { [keysKey]?: Map<string, { version: number; rows: Promise<KeyRow[]> }> };

/**
 * The secrets that sign for an organization at `now` (the current key first, then those in their
 * grace period), for the delivery engine: the encrypted rows are kept per process by the
 * organization's configVersion (bumped by a trigger whenever its keys change), and decrypted on
 * each call, so no decrypted secret outlives the caller's use of it.
 */
export async function signingSecretsAt(q: Sql, organizationId: string, configVersion: number, now: Date): Promise<string[]> {
  const cache = ((globalThis as G)[keysKey] ??= new Map<string, { version: number; rows: Promise<KeyRow[]> }>());
  let entry = cache.get(organizationId);
  if (!entry || entry.version < configVersion) {
    const rows = q.query<KeyRow>(
      `SELECT "secretEncrypted", ${iso(`"expiresAt"`)} AS "expiresAt" FROM "SigningKey" WHERE "organizationId" = $1 ORDER BY "createdAt" DESC, id DESC`,
      [organizationId],
    );
    entry = { version: configVersion, rows };
    cache.set(organizationId, entry);
    rows.catch(() => {
      if (cache.get(organizationId) === entry) cache.delete(organizationId);
    });
  }
  const rows = (await entry.rows).map((r) => ({ ...r, expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt) }));
  const { current, previous } = signingKeysAt(rows, organizationId, now);
  return [current, ...previous].map((r) => decryptSecret(r.secretEncrypted));
}
