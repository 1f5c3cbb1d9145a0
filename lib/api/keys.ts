import { createHash } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Sql } from "@/lib/db/sql";
import type { OrganizationRow } from "@/lib/outbox/organization-config";
import { NotFoundError } from "@/lib/core/errors";
import { newId, randomBase62 } from "@/lib/core/ids";

// API keys: `lhk_` + 40 random base62 characters (~238 bits). Only a SHA-256 is stored (a key
// this random needs no slow hash); the first characters are kept to tell keys apart in lists.

export const API_KEY_PATTERN = /^lhk_[0-9A-Za-z]{32,}$/;
const PREFIX_LENGTH = 12;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export async function createApiKey(prisma: Pick<PrismaClient, "apiKey">, organizationId: string, name: string, createdById: string | null = null) {
  const key = `lhk_${randomBase62(40)}`;
  const record = await prisma.apiKey.create({
    data: { id: newId("key"), organizationId, name, prefix: key.slice(0, PREFIX_LENGTH), keyHash: hashApiKey(key), createdById },
    select: { id: true, name: true, prefix: true, createdAt: true },
  });
  return { key, record };
}

export async function listApiKeys(prisma: Pick<PrismaClient, "apiKey">, organizationId: string) {
  return prisma.apiKey.findMany({
    where: { organizationId },
    orderBy: { createdAt: "desc" },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

export async function revokeApiKey(prisma: Pick<PrismaClient, "apiKey">, organizationId: string, id: string) {
  const { count } = await prisma.apiKey.updateMany({ where: { id, organizationId, revokedAt: null }, data: { revokedAt: new Date() } });
  if (!count) throw new NotFoundError("API key not found");
}

/** What an API key authenticates: the key, and its organization's row as accepting an event reads it. */
export interface ApiKeyAuth {
  organizationId: string;
  apiKeyId: string;
  organization: OrganizationRow;
}

/**
 * The organization an `Authorization: Bearer lhk_…` header stands for, or null. Every API request
 * asks, so it is one plain statement, which also reads the organization's row (lead intake needs
 * it next: one round trip fewer).
 */
export async function authenticateApiKey(q: Sql, authorization: string | null): Promise<ApiKeyAuth | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  if (!match || !API_KEY_PATTERN.test(match[1]!)) return null;
  const [row] = await q.query<{ apiKeyId: string; stale: boolean } & OrganizationRow>(
    `SELECT k.id AS "apiKeyId", ("lastUsedAt" IS NULL OR "lastUsedAt" < (now() AT TIME ZONE 'UTC') - interval '1 minute') AS stale,
            o.id, o.name, o."webhooksEnabled", o."configVersion" AS version
     FROM "ApiKey" k JOIN "Organization" o ON o.id = k."organizationId"
     WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL`,
    [hashApiKey(match[1]!)],
    "api-key",
  );
  if (!row) return null;
  const { apiKeyId, stale, ...organization } = row;
  // Last use is informative; writing it at most once a minute keeps hot keys cheap.
  if (stale) await q.query(`UPDATE "ApiKey" SET "lastUsedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1`, [apiKeyId], "api-key-used");
  return { organizationId: organization.id, apiKeyId, organization };
}
