import { iso, statementName, utc, type Sql } from "@/lib/db/sql";
import type { RuleRow } from "@/lib/domain/rule";
import type { RuleSecretColumns } from "@/lib/signing/rule-secrets";
import type { ClaimedDelivery, Decision } from "../policy/outcome";
import { storedLimitsApply } from "@/lib/domain/rule/limits";
import { applyLimits } from "./limits";
import type { Busy, SlotLimits } from "./slots";

// Claiming: due deliveries are leased to one dispatcher (FOR UPDATE SKIP LOCKED, so several
// processes on one PostgreSQL never claim the same row), with what sending them needs from their
// rule and organization read in the same statement. Only what can start at once is claimed: no
// more than the free slots, and nothing for a rule or a destination host already at its limit of
// requests in flight (those deliveries stay PENDING, unclaimed, for whoever has room), and nothing
// of a rule its circuit breaker has paused (pause.ts; read once per claim, through a partial index).
// What is passed over is not read at all (queue by queue, below).
// Deliveries of rules with caps or a rate limit are then reserved against them (limits.ts); a rule
// whose rate window is full is skipped like a paused one, through a partial index too.
// A rule with ordering per lead (read once per claim, through a partial index) has a lead's delivery
// claimed only when no earlier one (createdAt, then id) of that lead to the rule is still PENDING
// (waiting, retrying or in flight): so at most one per lead and rule, here or anywhere, at a time.
// The deliveries of a rule that sends batches are passed over (read once per claim, through a
// partial index), test sends excepted: batches.ts sends them.

/** A claimed delivery with the parts of its rule (RuleRow's columns) that sending needs. */
export interface Claimed
  extends ClaimedDelivery,
    Pick<RuleRow, "signatureScheme" | "timeoutMs" | "retryPolicy" | "authType" | "authConfigEncrypted" | "responseRules" | "timeWindow">,
    RuleSecretColumns {
  requestBody: string;
  ruleEnabled: boolean;
  webhooksEnabled: boolean;
  /** The destination's host[:port], lower case, as the per-host limit counts it. */
  host: string;
  /** The organization's configVersion (its signing keys are cached by it). */
  configVersion: number;
  /** The rule's duplicate suppression (null: off; checked in duplicates.ts). */
  duplicateSuppression: unknown;
  /** The rule's caps and rate limit (null: none), and whether this delivery counted toward the caps. */
  deliveryLimits: unknown;
  capCounted: boolean;
  /** Set when the rule's limits keep it from being sent now (held, skipped or over the rate). */
  limited?: Decision;
  /** A batch (batches.ts): sent as one request whose id is the batch's; each member records its outcome. */
  members?: Claimed[];
}

/** What a claim returns of a delivery ("Delivery" d), its rule ("WebhookRule" r) and organization ("Organization" o). */
export const CLAIMED_COLUMNS = `d.id, d."organizationId", d."ruleId", d.url, d.method, d."requestHeaders", d."requestBody", d."attemptCount",
               r."signatureScheme"::text AS "signatureScheme", r."timeoutMs", r."retryPolicy", r.enabled AS "ruleEnabled",
               r."authType"::text AS "authType", r."authConfigEncrypted", r."responseRules", r."timeWindow",
               r."signingSecretEncrypted", r."previousSecretEncrypted", ${iso(`r."previousSecretExpiresAt"`)} AS "previousSecretExpiresAt",
               r."consecutiveFailures", o."webhooksEnabled", o."configVersion", d.host, r."duplicateSuppression", r."deliveryLimits", d."capCounted",
               CASE WHEN (r."fallbackRuleId" IS NOT NULL OR r."linkedRuleId" IS NOT NULL) AND NOT d."isTest"
                    THEN json_build_object('fallbackRuleId', r."fallbackRuleId", 'linkedRuleId', r."linkedRuleId", 'fallbackOn', r."fallbackOn") END AS chain`;

/** A claimed row as the database returns it. */
export type ClaimedRow = Omit<Claimed, "previousSecretExpiresAt"> & { previousSecretExpiresAt: string | null };

export const claimedFromRow = <R extends ClaimedRow>(r: R) => ({ ...r, previousSecretExpiresAt: r.previousSecretExpiresAt ? new Date(r.previousSecretExpiresAt) : null });

/**
 * When a PENDING delivery may be claimed: when it is due, or when its lease runs out if that is later
 * (GREATEST passes over a null lease). The claim's queue index is ordered by it, so the deliveries
 * in flight (leased past now) sit beyond the range a claim reads instead of at the head of their
 * queue, where every claim would step over them again.
 */
const CLAIMABLE_AT = `GREATEST(d."nextAttemptAt", d."leaseExpiresAt")`;

/**
 * The claimable deliveries of queue `q` (open's columns), in the order they became claimable
 * (CLAIMABLE_AT, as "claimableAt"; those claimable at the same instant oldest first, by id, which
 * sorts by when a delivery was made), at most `limit`: due, not leased (or the lease has ended), not
 * held here, and for a rule with ordering per lead only a lead's earliest. A delivery whose
 * process died is taken again in the order of its lease's end, not of its due time.
 */
const dueIn = (q: string, limit: string) => `SELECT d.id, d."ruleId", ${CLAIMABLE_AT} AS "claimableAt", d.host FROM "Delivery" d
         WHERE d.state = 'PENDING' AND d."ruleId" = ${q}."ruleId" AND d.host = ${q}.host AND d."isTest" = ${q}."isTest"
           AND ${CLAIMABLE_AT} <= ${utc("$2")} AND d.id <> ALL($9::text[])
           AND (NOT ${q}.ordered OR NOT EXISTS (SELECT 1 FROM "Delivery" e
                             WHERE e."leadId" = d."leadId" AND e."ruleId" = d."ruleId" AND e.state = 'PENDING'
                               AND (e."createdAt", e.id) < (d."createdAt", d.id)))
         ORDER BY ${CLAIMABLE_AT}, d.id LIMIT ${limit}`;

// Due deliveries are read queue by queue: a queue is a rule's PENDING deliveries to one host, of
// test sends or not (a partial index, "Delivery_pending_queue_idx", keeps them in that order, then
// by when each may be claimed, CLAIMABLE_AT, then by id: oldest first among those claimable at
// once). The queues that hold anything are found by skipping from one to the next in the index
// (one descent each, however long a queue is); a queue whose rule or host is at its limit of
// requests in flight, paused, over its rate or sending batches is passed over there, so its
// backlog is never read. The queues with the oldest due
// delivery are then read, each from its head and only as far as it has room: a claim reads about
// what it claims, not the backlog of a blocked endpoint (which one endpoint that hangs would
// otherwise grow for every claim), nor the deliveries in flight (past the end of the range read).
// No more queues of one host or rule are read than it has room for, so queues bound to be trimmed
// by a shared limit do not take the places of others behind them.
// Each queue read locks up to its room before the limits trim the rows, so for the few
// milliseconds the statement runs another process's claim skips rows this one will not take. The
// statement therefore also says how many queues had a due head: a claim that found due heads but
// could lock none was locked out (ClaimOutcome), not short of work.
const CLAIM = `WITH RECURSIVE queues AS (
       (SELECT d."ruleId", d.host, d."isTest" FROM "Delivery" d WHERE d.state = 'PENDING'
        ORDER BY d."ruleId", d.host, d."isTest" LIMIT 1)
       UNION ALL
       SELECT n."ruleId", n.host, n."isTest" FROM queues q CROSS JOIN LATERAL (
         SELECT d."ruleId", d.host, d."isTest" FROM "Delivery" d
         WHERE d.state = 'PENDING' AND (d."ruleId", d.host, d."isTest") > (q."ruleId", q.host, q."isTest")
         ORDER BY d."ruleId", d.host, d."isTest" LIMIT 1) n
     ), open AS (
       SELECT q."ruleId", q.host, q."isTest",
              LEAST($7 - COALESCE(($5::jsonb ->> q."ruleId")::int, 0), $8 - COALESCE(($6::jsonb ->> q.host)::int, 0), $4) AS room,
              q."ruleId" = ANY(ARRAY(SELECT id FROM "WebhookRule" WHERE "orderedPerLead")) AS ordered
       FROM queues q
       WHERE q."ruleId" <> ALL($10::text[]) AND q.host <> ALL($11::text[])
         AND q."ruleId" <> ALL(ARRAY(SELECT id FROM "WebhookRule" WHERE "pausedUntil" > ${utc("$2")}
                                     UNION ALL SELECT "ruleId" FROM "RuleUsage" WHERE "rateFullUntil" > ${utc("$2")}))
         AND (q."isTest" OR q."ruleId" <> ALL(ARRAY(SELECT id FROM "WebhookRule" WHERE batch IS NOT NULL)))
     ), heads AS (
       SELECT o.*, h."claimableAt", h.id AS "headId",
              row_number() OVER (PARTITION BY o.host ORDER BY h."claimableAt", h.id) AS "hostQ",
              row_number() OVER (PARTITION BY o."ruleId" ORDER BY h."claimableAt", h.id) AS "ruleQ"
       FROM open o CROSS JOIN LATERAL (${dueIn("o", "1")}) h
       WHERE o.room > 0
     ), picks AS (
       SELECT * FROM heads
       WHERE "hostQ" <= $8 - COALESCE(($6::jsonb ->> host)::int, 0) AND "ruleQ" <= $7 - COALESCE(($5::jsonb ->> "ruleId")::int, 0)
       ORDER BY "claimableAt", "headId" LIMIT $4
     ), due AS (
       SELECT x.* FROM picks o CROSS JOIN LATERAL (${dueIn("o", "o.room")} FOR UPDATE OF d SKIP LOCKED) x
     ), ranked AS (
       SELECT id, host, "claimableAt",
              COALESCE(($5::jsonb ->> "ruleId")::int, 0) + row_number() OVER (PARTITION BY "ruleId" ORDER BY "claimableAt", id) AS "ruleN",
              COALESCE(($6::jsonb ->> host)::int, 0) + row_number() OVER (PARTITION BY host ORDER BY "claimableAt", id) AS "hostN"
       FROM due
     ), picked AS (
       SELECT id, host, "claimableAt" FROM ranked WHERE "ruleN" <= $7 AND "hostN" <= $8 ORDER BY "claimableAt", id LIMIT $4
     ), claimed AS (
       UPDATE "Delivery" d
       SET "leaseOwner" = $1, "leaseExpiresAt" = ${utc("$3")}
       FROM picked, "WebhookRule" r, "Organization" o
       WHERE d.id = picked.id AND r.id = d."ruleId" AND o.id = d."organizationId"
       RETURNING ${CLAIMED_COLUMNS}, picked."claimableAt" AS "claimOrder"
     )
     SELECT c.*, n.queues AS "queuesPicked", p.rules AS "pausedWaiting"
     FROM (SELECT count(*)::int AS queues FROM picks) n
     CROSS JOIN (SELECT array_agg(DISTINCT q."ruleId") AS rules FROM queues q
                 WHERE q."ruleId" = ANY(ARRAY(SELECT id FROM "WebhookRule" WHERE "pausedUntil" > ${utc("$2")}))) p
     LEFT JOIN claimed c ON true
     ORDER BY c."claimOrder", c.id`;
/** The claim's statement name (tests explain the plan kept under it). */
export const CLAIM_NAME = statementName(CLAIM);
/** The claim's statement (tests run it on connections of their own). */
export const CLAIM_STATEMENT = CLAIM;

/** The claim's parameters, in order. */
export function claimParams(owner: string, now: Date, leaseMs: number, busy: Busy, limits: Pick<SlotLimits, "perRule" | "perHost">, holding: readonly string[]): unknown[] {
  return [
    owner,
    now.toISOString(),
    new Date(now.getTime() + leaseMs).toISOString(),
    busy.free,
    JSON.stringify(busy.rules),
    JSON.stringify(busy.hosts),
    limits.perRule,
    limits.perHost,
    holding,
    Object.keys(busy.rules).filter((id) => busy.rules[id]! >= limits.perRule),
    Object.keys(busy.hosts).filter((host) => busy.hosts[host]! >= limits.perHost),
  ];
}

/**
 * Claims up to `busy.free` due deliveries, at most `limits.perRule` / `limits.perHost` in flight
 * per rule / host counting `busy`; never one of `holding` (still being sent or recorded here, even
 * should its lease have run out before an extension).
 */
export async function claimDue(sql: Sql, owner: string, now: Date, leaseMs: number, busy: Busy, limits: Pick<SlotLimits, "perRule" | "perHost">, holding: readonly string[] = []): Promise<Claimed[]> {
  return (await claimOrLockedOut(sql, owner, now, leaseMs, busy, limits, holding)).claimed;
}

/** A claim, and whether it came back empty only because the due deliveries it found were locked. */
export interface ClaimOutcome {
  claimed: Claimed[];
  /**
   * Nothing was claimed, yet due deliveries were there: another transaction (another process's
   * claim, which locks up to a queue's room of rows before its limits trim them) held them. They
   * are free again once that statement ends, so the claimer should look again in a moment rather
   * than wait for the next wake-up.
   */
  lockedOut: boolean;
  /**
   * Rules paused (by any process's circuit breaker) that have deliveries waiting: the claim passed
   * over them, so their new deliveries must not be handed off ahead of those once the pause ends.
   */
  paused: string[];
}

/** claimDue, saying also whether the claim was locked out (ClaimOutcome). */
export async function claimOrLockedOut(sql: Sql, owner: string, now: Date, leaseMs: number, busy: Busy, limits: Pick<SlotLimits, "perRule" | "perHost">, holding: readonly string[] = []): Promise<ClaimOutcome> {
  if (busy.free <= 0) return { claimed: [], lockedOut: false, paused: [] };
  // One row per claimed delivery, in the order they became claimable (oldest first at the same
  // instant), or one row of nulls when none was; each says how many queues had a due head, and
  // which paused rules have deliveries waiting.
  const rows = await sql.query<ClaimedRow & { queuesPicked: number; pausedWaiting: string[] | null; claimOrder: unknown }>(CLAIM, claimParams(owner, now, leaseMs, busy, limits, holding), CLAIM_NAME);
  const claimed = rows.filter((r) => r.id !== null).map(({ queuesPicked: _, pausedWaiting: __, claimOrder: ___, ...r }) => claimedFromRow(r));
  const lockedOut = !claimed.length && (rows[0]?.queuesPicked ?? 0) > 0;
  const paused = rows[0]?.pausedWaiting ?? [];
  return { claimed: claimed.some((d) => storedLimitsApply(d.deliveryLimits)) ? await applyLimits(sql, claimed, now) : claimed, lockedOut, paused };
}

/** Pushes the lease of deliveries still being sent (or recorded) by `owner` to `now + leaseMs`. */
export async function extendLeases(sql: Sql, owner: string, ids: string[], now: Date, leaseMs: number): Promise<void> {
  if (!ids.length) return;
  await sql.query(
    `UPDATE "Delivery" SET "leaseExpiresAt" = ${utc("$3")}
     WHERE id = ANY($1::text[]) AND "leaseOwner" = $2`,
    [ids, owner, new Date(now.getTime() + leaseMs).toISOString()],
  );
}
