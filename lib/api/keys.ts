import { createHash } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Guard, Sql } from "@/lib/db/sql";
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
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
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
  /**
   * Set when this comes from the process's memory of a recent check, not from the database now:
   * a write made with it must be conditioned on this guard (the key still active, the
   * organization's row unchanged), which fails if either changed since.
   */
  unconfirmed?: Guard;
}

/** How long a checked key is remembered: its last use is written at most this often anyway. */
const REMEMBER_MS = 60_000;
const REMEMBERED_MAX = 10_000;
const memoryKey = Symbol.for("leadhooks.api-keys");
type Remembered = { auth: ApiKeyAuth; until: number };
const remembered = (): Map<string, Remembered> => ((globalThis as { [memoryKey]?: Map<string, Remembered> })[memoryKey] ??= new Map());

/** The bearer key of an Authorization header, when it has an API key's shape. */
function bearerKey(authorization: string | null): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
  return match && API_KEY_PATTERN.test(match[1]!) ? match[1]! : null;
}

/** The guard under which a remembered key may write: the key still active, the organization's row as remembered. */
function stillHolds(auth: ApiKeyAuth): Guard {
  const o = auth.organization;
  return {
    text: `SELECT 1 FROM "ApiKey" k JOIN "Organization" o ON o.id = k."organizationId"
           WHERE k.id = $1 AND k."revokedAt" IS NULL AND o.id = $2 AND o.name = $3 AND o."webhooksEnabled" = $4 AND o."configVersion" = $5`,
    params: [auth.apiKeyId, o.id, o.name, o.webhooksEnabled, o.version],
  };
}

/**
 * A key this process checked in the last minute, without asking the database: the caller must
 * write under its `unconfirmed` guard (lead intake does: the insert itself confirms the key), and
 * call forgetApiKey and authenticate again when the guard fails. Null when not remembered.
 */
export function rememberedApiKey(authorization: string | null, now = Date.now()): ApiKeyAuth | null {
  const key = bearerKey(authorization);
  if (!key) return null;
  const hash = hashApiKey(key);
  const entry = remembered().get(hash);
  if (!entry) return null;
  if (entry.until <= now) {
    remembered().delete(hash);
    return null;
  }
  return { ...entry.auth, unconfirmed: stillHolds(entry.auth) };
}

export function forgetApiKey(authorization: string | null): void {
  const key = bearerKey(authorization);
  if (key) remembered().delete(hashApiKey(key));
}

function remember(hash: string, auth: ApiKeyAuth, now: number): void {
  const memory = remembered();
  if (memory.size >= REMEMBERED_MAX) memory.clear(); // many keys: start over rather than grow
  memory.set(hash, { auth, until: now + REMEMBER_MS });
}

/**
 * The organization an `Authorization: Bearer lhk_…` header stands for, or null. Every API request
 * asks, so it is one plain statement, which also reads the organization's row (lead intake needs
 * it next: one round trip fewer).
 */
export async function authenticateApiKey(q: Sql, authorization: string | null, now = Date.now()): Promise<ApiKeyAuth | null> {
  const key = bearerKey(authorization);
  if (!key) return null;
  const hash = hashApiKey(key);
  const [row] = await q.query<{ apiKeyId: string; stale: boolean } & OrganizationRow>(
    `SELECT k.id AS "apiKeyId", ("lastUsedAt" IS NULL OR "lastUsedAt" < (now() AT TIME ZONE 'UTC') - interval '1 minute') AS stale,
            o.id, o.name, o."webhooksEnabled", o."configVersion" AS version
     FROM "ApiKey" k JOIN "Organization" o ON o.id = k."organizationId"
     WHERE k."keyHash" = $1 AND k."revokedAt" IS NULL`,
    [hash],
    "api-key",
  );
  if (!row) {
    remembered().delete(hash);
    return null;
  }
  const { apiKeyId, stale, ...organization } = row;
  // Last use is informative; writing it at most once a minute keeps hot keys cheap.
  if (stale) await q.query(`UPDATE "ApiKey" SET "lastUsedAt" = now() AT TIME ZONE 'UTC' WHERE id = $1`, [apiKeyId], "api-key-used");
  const auth = { organizationId: organization.id, apiKeyId, organization };
  remember(hash, auth, now);
  return auth;
}
