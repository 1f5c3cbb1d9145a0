import type { PrismaClient } from "@/lib/generated/prisma/client";
import { prismaSql, utc, type Sql } from "@/lib/db/sql";
import {
  DUPLICATE_CHECKED_EVENT,
  duplicateKey,
  duplicateReason,
  duplicateWindowStart,
  parseDuplicateSuppression,
  type DuplicateSuppression,
} from "@/lib/domain/rule/duplicates";
import type { LeadSnapshot } from "@/lib/domain/lead";
import type { Claimed } from "./claim";

// Duplicate suppression, checked once per claim just before sending, for the claimed deliveries
// whose rule has it (a claim without such a rule costs nothing here). One transaction per claim:
// the new lead.created deliveries' keys are computed from their leads, a transaction-level
// advisory lock is taken on each (rule, key), and only then are the rule's earlier deliveries with
// that key looked up (in a statement that starts after the locks, so it sees what another
// dispatcher checked and committed meanwhile). A delivery with no earlier one is given its key
// (from then on it counts as the earlier one); the others are SKIPPED with the earlier delivery's
// id. Two dispatchers holding two deliveries with one key therefore never both send.
// An earlier delivery counts while it is being sent or succeeded (a failed or skipped one never
// reached the client). "Send anyway" (lib/delivery/log/requeue.ts) clears duplicateOfId and keeps
// the key: such a delivery is not checked again.

interface Check {
  id: string;
  ruleId: string;
  key: string;
  since: string;
  setting: DuplicateSuppression;
}

/** The claimed deliveries not yet checked, of lead.created events, with their lead. */
const UNCHECKED = `SELECT d.id, to_jsonb(l) AS lead FROM "Delivery" d
  JOIN "Event" e ON e.id = d."eventId" JOIN "Lead" l ON l.id = d."leadId"
  WHERE d.id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND e.type = $2 AND NOT d."isTest"
    AND (d."dedupeKey" IS NULL OR d."duplicateOfId" IS NOT NULL)`;

const CHECKS = `jsonb_to_recordset($1::jsonb) AS v(id text, "ruleId" text, key text, since text)`;

/** One lock per (rule, key), taken in a fixed order (no deadlock between two dispatchers). */
const LOCK = `SELECT count(*)::int AS n FROM (
  SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(v."ruleId" || ' ' || v.key, 0) AS k FROM ${CHECKS} ORDER BY k) keys) locked`;

/** The oldest earlier delivery of the same rule and key for each check (other than those checked now). */
const EARLIER = `SELECT DISTINCT ON (v.id) v.id, d.id AS "earlierId" FROM ${CHECKS}
  JOIN "Delivery" d ON d."ruleId" = v."ruleId" AND d."dedupeKey" = v.key AND d."createdAt" >= ${utc("v.since")}
  WHERE d.state IN ('PENDING', 'SUCCEEDED') AND d."duplicateOfId" IS NULL
    AND d.id NOT IN (SELECT c ->> 'id' FROM jsonb_array_elements($1::jsonb) c)
  ORDER BY v.id, d."createdAt", d.id`;

/** Keys for those that go; SKIPPED with the earlier delivery for duplicates (still under our lease). */
const WRITE = `UPDATE "Delivery" d SET "dedupeKey" = v.key, "duplicateOfId" = v."earlierId",
    state = CASE WHEN v."earlierId" IS NULL THEN d.state ELSE 'SKIPPED'::"DeliveryState" END,
    "lastError" = CASE WHEN v."earlierId" IS NULL THEN d."lastError" ELSE v.reason END,
    "completedAt" = CASE WHEN v."earlierId" IS NULL THEN d."completedAt" ELSE ${utc("$3")} END,
    "nextAttemptAt" = CASE WHEN v."earlierId" IS NULL THEN d."nextAttemptAt" END,
    "leaseOwner" = CASE WHEN v."earlierId" IS NULL THEN d."leaseOwner" END,
    "leaseExpiresAt" = CASE WHEN v."earlierId" IS NULL THEN d."leaseExpiresAt" END,
    "updatedAt" = now() AT TIME ZONE 'UTC'
  FROM jsonb_to_recordset($1::jsonb) AS v(id text, key text, "earlierId" text, reason text)
  WHERE d.id = v.id AND d."leaseOwner" = $2`;

/** The checks of the claimed deliveries that need one (unchecked, lead.created, with a key). */
async function checksOf(q: Sql, claimed: readonly Claimed[], now: Date): Promise<Check[]> {
  const byId = new Map(claimed.map((d) => [d.id, d]));
  const rows = await q.query<{ id: string; lead: LeadSnapshot & Record<string, unknown> }>(UNCHECKED, [JSON.stringify([...byId.keys()]), DUPLICATE_CHECKED_EVENT]);
  const order = new Map(claimed.map((d, i) => [d.id, i]));
  return rows
    .sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    .flatMap(({ id, lead }) => {
      const d = byId.get(id)!;
      const setting = parseDuplicateSuppression(d.duplicateSuppression);
      const key = duplicateKey(setting, lead);
      return key ? [{ id, ruleId: d.ruleId, key, since: duplicateWindowStart(setting, now).toISOString(), setting }] : [];
    });
}

/**
 * The claimed deliveries to send: those that are duplicates are recorded SKIPPED here (with the
 * earlier delivery's id) and left out. `skipped` says how many.
 */
export async function withoutDuplicates(prisma: PrismaClient, owner: string, claimed: Claimed[], now: Date): Promise<{ send: Claimed[]; skipped: number }> {
  // A delivery its rule or organization no longer sends is skipped for that, by the sender; one the
  // rule's caps or rate limit hold back is not being sent now (it is checked when it is).
  const suppressing = claimed.filter((d) => d.duplicateSuppression !== null && d.ruleEnabled && d.webhooksEnabled && !d.limited);
  if (!suppressing.length) return { send: claimed, skipped: 0 };
  const duplicates = await prisma.$transaction(async (tx) => {
    const q = prismaSql(tx);
    const checks = await checksOf(q, suppressing, now);
    if (!checks.length) return new Set<string>();
    const wire = JSON.stringify(checks.map(({ id, ruleId, key, since }) => ({ id, ruleId, key, since })));
    await q.query(LOCK, [wire]);
    const earlier = new Map((await q.query<{ id: string; earlierId: string }>(EARLIER, [wire])).map((r) => [r.id, r.earlierId]));
    // Within the claim, the first delivery of a (rule, key) goes and the others duplicate it.
    const first = new Map<string, string>();
    const writes = checks.map((c) => {
      const group = `${c.ruleId} ${c.key}`;
      const earlierId = earlier.get(c.id) ?? first.get(group) ?? null;
      if (!earlierId) first.set(group, c.id);
      return { id: c.id, key: c.key, earlierId, reason: earlierId ? duplicateReason(c.setting, earlierId) : null };
    });
    await q.query(WRITE, [JSON.stringify(writes), owner, now.toISOString()]);
    return new Set(writes.flatMap((w) => (w.earlierId ? [w.id] : [])));
  });
  return { send: claimed.filter((d) => !duplicates.has(d.id)), skipped: duplicates.size };
}
