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

const CLAIM = `WITH due AS (
       SELECT d.id, d."ruleId", d."nextAttemptAt", d.host FROM "Delivery" d
       WHERE d.state = 'PENDING' AND d."nextAttemptAt" <= ${utc("$2")}
         AND (d."leaseExpiresAt" IS NULL OR d."leaseExpiresAt" < ${utc("$2")})
         AND d.id <> ALL($10::text[]) AND d."ruleId" <> ALL($11::text[]) AND d.host <> ALL($12::text[])
         AND d."ruleId" <> ALL(ARRAY(SELECT id FROM "WebhookRule" WHERE "pausedUntil" > ${utc("$2")}
                                     UNION ALL SELECT "ruleId" FROM "RuleUsage" WHERE "rateFullUntil" > ${utc("$2")}))
         AND (d."isTest" OR d."ruleId" <> ALL(ARRAY(SELECT id FROM "WebhookRule" WHERE batch IS NOT NULL)))
         AND (d."ruleId" <> ALL(ARRAY(SELECT id FROM "WebhookRule" WHERE "orderedPerLead"))
              OR NOT EXISTS (SELECT 1 FROM "Delivery" e
                             WHERE e."leadId" = d."leadId" AND e."ruleId" = d."ruleId" AND e.state = 'PENDING'
                               AND (e."createdAt", e.id) < (d."createdAt", d.id)))
       ORDER BY d."nextAttemptAt"
       LIMIT $9
       FOR UPDATE SKIP LOCKED
     ), ranked AS (
       SELECT id, host, "nextAttemptAt",
              COALESCE(($5::jsonb ->> "ruleId")::int, 0) + row_number() OVER (PARTITION BY "ruleId" ORDER BY "nextAttemptAt", id) AS "ruleN",
              COALESCE(($6::jsonb ->> host)::int, 0) + row_number() OVER (PARTITION BY host ORDER BY "nextAttemptAt", id) AS "hostN"
       FROM due
     ), picked AS (
       SELECT id, host FROM ranked WHERE "ruleN" <= $7 AND "hostN" <= $8 ORDER BY "nextAttemptAt" LIMIT $4
     )
     UPDATE "Delivery" d
     SET "leaseOwner" = $1, "leaseExpiresAt" = ${utc("$3")}
     FROM picked, "WebhookRule" r, "Organization" o
     WHERE d.id = picked.id AND r.id = d."ruleId" AND o.id = d."organizationId"
     RETURNING ${CLAIMED_COLUMNS}`;
const CLAIM_NAME = statementName(CLAIM);

/**
 * Claims up to `busy.free` due deliveries, at most `limits.perRule` / `limits.perHost` in flight
 * per rule / host counting `busy`; never one of `holding` (still being sent or recorded here, even
 * should its lease have run out before an extension).
 */
export async function claimDue(sql: Sql, owner: string, now: Date, leaseMs: number, busy: Busy, limits: Pick<SlotLimits, "perRule" | "perHost">, holding: readonly string[] = []): Promise<Claimed[]> {
  if (busy.free <= 0) return [];
  const rows = await sql.query<ClaimedRow>(
    CLAIM,
    [
      owner,
      now.toISOString(),
      new Date(now.getTime() + leaseMs).toISOString(),
      busy.free,
      JSON.stringify(busy.rules),
      JSON.stringify(busy.hosts),
      limits.perRule,
      limits.perHost,
      // The rows locked and looked at: those of rules and hosts at their limit are passed over in
      // the scan; twice the free slots leave room for a claim that is trimmed per rule or host.
      Math.max(2 * busy.free, 50),
      holding,
      Object.keys(busy.rules).filter((id) => busy.rules[id]! >= limits.perRule),
      Object.keys(busy.hosts).filter((host) => busy.hosts[host]! >= limits.perHost),
    ],
    CLAIM_NAME,
  );
  const claimed = rows.map(claimedFromRow);
  return claimed.some((d) => storedLimitsApply(d.deliveryLimits)) ? applyLimits(sql, claimed, now) : claimed;
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
