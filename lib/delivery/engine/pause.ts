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
