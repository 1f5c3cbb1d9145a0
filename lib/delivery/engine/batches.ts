import type { PrismaClient } from "@/lib/generated/prisma/client";
import { iso, prismaSql, utc, type Sql } from "@/lib/db/sql";
import { newId } from "@/lib/core/ids";
import { hostOf } from "@/lib/core/url";
import { parseBatch, type Batch } from "@/lib/domain/rule/batch";
import { batchBody, batchHeaders } from "../render/batch-body";
import { dueGroups, memberDecisions, nextDueByTime } from "../policy/batch";
import type { Decision } from "../policy/outcome";
import { CLAIMED_COLUMNS, claimedFromRow, type Claimed, type ClaimedRow } from "./claim";
import type { Busy, SlotLimits } from "./slots";

// Batches: the deliveries of a rule with batches on (the claim passes over them, test sends
// excepted) are sent here, one request per batch. A batch is formed the first time it is sent:
// the rule's waiting deliveries (PENDING, due, in no batch yet), oldest first, in groups of
// maxLeads, a group being due when it is full or its oldest delivery has waited maxSeconds. The
// group gets a batch id and is leased; its retries send the same batch again (the same members,
// the batch id as webhook-id). Each rule's batches are claimed in one transaction: the waiting
// deliveries are locked FOR UPDATE SKIP LOCKED, and a formed batch through its first PENDING
// member (its head), so two dispatchers never put a delivery in two batches nor send one batch
// twice. A batch is one request: one slot per rule and host, one outcome for the circuit breaker.
// The step runs at most once a second per pipeline; when a look found no rule with batches, the
// process does not look again for SLOW_MS (batches are measured in seconds anyway).

const EVERY_MS = 1000;
const SLOW_MS = 5000;

/** The rules with batches on that are not paused (through the partial index on batch). */
const RULES = `SELECT id, url, batch FROM "WebhookRule" WHERE batch IS NOT NULL AND ("pausedUntil" IS NULL OR "pausedUntil" <= ${utc("$1")})`;

const FREE = `(d."leaseExpiresAt" IS NULL OR d."leaseExpiresAt" < ${utc("$2")}) AND d.id <> ALL($4::text[])`;

/** Formed batches due again, by their head (the first PENDING member), locked. */
const DUE_BATCHES = `SELECT d."batchId" FROM "Delivery" d
  WHERE d."ruleId" = $1 AND d."batchId" IS NOT NULL AND d.state = 'PENDING' AND d."nextAttemptAt" <= ${utc("$2")} AND ${FREE}
    AND NOT EXISTS (SELECT 1 FROM "Delivery" e WHERE e."batchId" = d."batchId" AND e.state = 'PENDING' AND e.id < d.id)
  ORDER BY d."nextAttemptAt", d.id LIMIT $3
  FOR UPDATE OF d SKIP LOCKED`;

/** The rule's deliveries waiting for a batch, oldest first, locked. */
const WAITING = `SELECT d.id, ${iso(`d."createdAt"`)} AS "queuedAt", d.method || ' ' || d.url || ' ' || d."requestHeaders"::text AS "requestLine" FROM "Delivery" d
  WHERE d."ruleId" = $1 AND d."batchId" IS NULL AND d.state = 'PENDING' AND NOT d."isTest" AND d."nextAttemptAt" <= ${utc("$2")} AND ${FREE}
  ORDER BY d."createdAt", d.id LIMIT $3
  FOR UPDATE OF d SKIP LOCKED`;

/** Leases the members of the batches due again ($3) and of the new ones ($4: id, batchId), with what sending needs. */
const LEASE = `UPDATE "Delivery" d SET "batchId" = v."batchId", "leaseOwner" = $1, "leaseExpiresAt" = ${utc("$2")}
  FROM (SELECT m.id, m."batchId" FROM "Delivery" m WHERE m."batchId" = ANY($3::text[]) AND m.state = 'PENDING'
        UNION ALL SELECT x.id, x."batchId" FROM jsonb_to_recordset($4::jsonb) AS x(id text, "batchId" text)) v,
       "WebhookRule" r, "Organization" o
  WHERE d.id = v.id AND r.id = d."ruleId" AND o.id = d."organizationId"
  RETURNING ${CLAIMED_COLUMNS}, d."batchId", ${iso(`d."createdAt"`)} AS "queuedAt"`;

interface BatchRule {
  id: string;
  url: string;
  batch: Batch;
}

// Until when the process does not look (a look found no rule with batches). Kept on globalThis,
// like the dispatcher's runtime: Next.js bundles the server in several chunks, each with its own
// module instances, and every pipeline of the process shares it.
const quietKey = Symbol.for("leadhooks.batches-quiet-until");
type G = typeof globalThis & { [quietKey]?: number };

/** When the pipeline looks for batches: at most once a second, and seldom while no rule has batches on. */
export function batchClock(): () => boolean {
  let next = 0;
  return () => {
    const now = Date.now();
    if (now < next || now < ((globalThis as G)[quietKey] ?? 0)) return false;
    next = now + EVERY_MS;
    return true;
  };
}

/** One request for a batch's members: the first member's request with the batch's id, body and Content-Type. */
function batchUnit(batchId: string, members: Claimed[], batch: Batch): Claimed {
  const head = members[0]!;
  const { body, contentType } = batchBody(members.map((m) => m.requestBody), batch.format);
  return { ...head, id: batchId, requestBody: body, requestHeaders: batchHeaders(head.requestHeaders, contentType), members };
}

/** Due batches, and when the first of the deliveries left waiting becomes due by time (ms since the epoch; null: none is left). */
export interface ClaimedBatches {
  units: Claimed[];
  nextDueAt: number | null;
}

const earlier = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));

/** One rule's due batches, at most `room`, claimed in one transaction. */
async function claimRuleBatches(prisma: PrismaClient, owner: string, rule: BatchRule, room: number, now: Date, leaseMs: number, holding: readonly string[]): Promise<ClaimedBatches> {
  let nextDueAt: number | null = null;
  const rows = await prisma.$transaction(async (tx) => {
    const q = prismaSql(tx);
    const params = [rule.id, now.toISOString()];
    const again = (await q.query<{ batchId: string }>(DUE_BATCHES, [...params, room, holding])).map((r) => r.batchId);
    const waiting = again.length < room ? await q.query<{ id: string; queuedAt: string; requestLine: string }>(WAITING, [...params, (room - again.length) * rule.batch.maxLeads, holding]) : [];
    const formed = dueGroups(waiting, rule.batch, now, room - again.length).flatMap((group) => {
      const batchId = newId("bat");
      return group.map((d) => ({ id: d.id, batchId }));
    });
    nextDueAt = nextDueByTime(waiting, new Set(formed.map((f) => f.id)), rule.batch);
    if (!again.length && !formed.length) return [];
    return q.query<ClaimedRow & { batchId: string; queuedAt: string }>(LEASE, [owner, new Date(now.getTime() + leaseMs).toISOString(), again, JSON.stringify(formed)]);
  });
  const byBatch = new Map<string, Claimed[]>();
  for (const r of rows.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt) || a.id.localeCompare(b.id))) {
    const { batchId, queuedAt: _, ...row } = r;
    const members = byBatch.get(batchId);
    if (members) members.push(claimedFromRow(row));
    else byBatch.set(batchId, [claimedFromRow(row)]);
  }
  return { units: [...byBatch].map(([batchId, members]) => batchUnit(batchId, members, rule.batch)), nextDueAt };
}

/**
 * Claims the due batches of every rule with batches on, as many as `busy` leaves room for (one
 * slot per batch, per rule and per host too); each is a Claimed whose id is the batch's and whose
 * `members` are its deliveries. Also says when the first delivery left waiting for a batch becomes
 * due by time, so the process can wake then (nothing else would: no new delivery, no retry).
 */
export async function claimBatches(
  prisma: PrismaClient, sql: Sql, owner: string, now: Date, leaseMs: number, busy: Busy, limits: Pick<SlotLimits, "perRule" | "perHost">, holding: readonly string[],
): Promise<ClaimedBatches> {
  const rules = (await sql.query<{ id: string; url: string; batch: unknown }>(RULES, [now.toISOString()])).flatMap((r) => {
    const batch = parseBatch(r.batch);
    return batch ? [{ id: r.id, url: r.url, batch }] : [];
  });
  if (!rules.length) (globalThis as G)[quietKey] = Date.now() + SLOW_MS;
  const units: Claimed[] = [];
  let nextDueAt: number | null = null;
  let free = busy.free;
  for (const rule of rules) {
    const host = hostOf(rule.url);
    const room = Math.min(free, limits.perRule - (busy.rules[rule.id] ?? 0), limits.perHost - (busy.hosts[host] ?? 0));
    if (room <= 0) continue;
    const claimed = await claimRuleBatches(prisma, owner, rule, room, now, leaseMs, holding);
    free -= claimed.units.length;
    busy.hosts[host] = (busy.hosts[host] ?? 0) + claimed.units.length;
    units.push(...claimed.units);
    nextDueAt = earlier(nextDueAt, claimed.nextDueAt);
  }
  return { units, nextDueAt };
}

/** Sends a batch with `send` (as one delivery) and gives each member the outcome. */
export function batchSender(send: (d: Claimed) => Promise<Decision>): (unit: Claimed) => Promise<Decision[]> {
  return async (unit) => memberDecisions(await send(unit), unit.members ?? [unit]);
}
