import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/core/ids";
import { decryptSecret, encryptSecret, maskSecret } from "@/lib/security/crypto";

export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

type Tx = Pick<PrismaClient, "signingKey">;

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

export async function createSigningKey(tx: Tx, organizationId: string): Promise<string> {
  const secret = generateSigningSecret();
  await tx.signingKey.create({ data: { id: newId("key"), organizationId, secretEncrypted: encryptSecret(secret) } });
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
    orderBy: { createdAt: "desc" },
  });
  const current = rows.find((r) => r.expiresAt === null);
  if (!current) throw new Error(`Organization ${organizationId} has no signing key`);
  return {
    current: { id: current.id, secret: decryptSecret(current.secretEncrypted), createdAt: current.createdAt },
    previous: rows
      .filter((r) => r.expiresAt !== null)
      .map((r) => ({ id: r.id, secret: decryptSecret(r.secretEncrypted), expiresAt: r.expiresAt! })),
  };
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
