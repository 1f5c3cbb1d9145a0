import { statementName, utc, type Sql } from "@/lib/db/sql";
import { pauseReason } from "@/lib/domain/rule/circuit";

// The circuit breaker's decisions, written where every process sees them: a paused rule's row
// says until when and why (the claim skips the rule meanwhile; the admin and the API show it). Its
// deliveries are left as they are: nothing of the rule is claimed until the pause ends, and they
// then go in the order they were due, with those written during the pause after them (moving
// every waiting delivery's due time to the reopening, as this did, gave them all one due time, so
// they went in no set order, and sent the ones written during the pause first). A pause only ever
// lengthens one another process wrote.

const PAUSE = `UPDATE "WebhookRule" SET "pausedUntil" = ${utc("$2")}, "pauseReason" = $3
     WHERE id = $1 AND ("pausedUntil" IS NULL OR "pausedUntil" < ${utc("$2")})`;
const PAUSE_NAME = statementName(PAUSE);

// Only a pause that has run out is cleared: a later one, from another process, stands.
const RESUME = `UPDATE "WebhookRule" SET "pausedUntil" = NULL, "pauseReason" = NULL WHERE id = $1 AND "pausedUntil" <= ${utc("$2")}`;
const RESUME_NAME = statementName(RESUME);

/** Pauses a rule until `until`, after `threshold` failures in a row or after a failed probe. */
export async function pauseRule(sql: Sql, ruleId: string, until: Date, cause: { threshold: number } | "probe"): Promise<void> {
  await sql.query(PAUSE, [ruleId, until.toISOString(), pauseReason(cause, until)], PAUSE_NAME);
}

/** A probe succeeded: the rule's pause is over. */
export async function resumeRule(sql: Sql, ruleId: string, now: Date): Promise<void> {
  await sql.query(RESUME, [ruleId, now.toISOString()], RESUME_NAME);
}

// A pause written here and lifted since (the rule re-enabled or its health reset, which clear
// "pausedUntil"; or the rule deleted): its row no longer holds it. A pause only ever lengthens, so a
// row holding an earlier end (or none) lifted it.
const LIFTED = `SELECT h.id FROM unnest($1::text[], $2::text[]) AS h(id, until)
     LEFT JOIN "WebhookRule" w ON w.id = h.id
     WHERE w."pausedUntil" IS NULL OR w."pausedUntil" < ${utc("h.until")}`;
const LIFTED_NAME = statementName(LIFTED);

/** Of these pauses ([ruleId, until in ms]), the rules whose row no longer holds theirs. */
export async function liftedPauses(sql: Sql, pauses: readonly [ruleId: string, until: number][]): Promise<string[]> {
  if (!pauses.length) return [];
  const rows = await sql.query<{ id: string }>(LIFTED, [pauses.map(([id]) => id), pauses.map(([, until]) => new Date(until).toISOString())], LIFTED_NAME);
  return rows.map((r) => r.id);
}
