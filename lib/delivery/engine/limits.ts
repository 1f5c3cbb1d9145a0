import { statementName, utc, type Sql } from "@/lib/db/sql";
import { CAP_PERIODS, cappedReason, parseDeliveryLimits, rateLimitedReason, storedLimitsApply, type CapPeriod, type DeliveryLimits } from "@/lib/domain/rule/limits";
import { ruleFromRow } from "@/lib/domain/rule";
import { capPeriod, capTimeZone, rateWindow, type Period } from "../policy/caps";
import { heldBack, skipped, switchedOffReason } from "../policy/outcome";
import { windowDecision } from "../policy/time-window";
import type { Claimed } from "./claim";

// Caps and rate limits, applied to a claim (only to the deliveries of rules that have limits; a
// claim without such a rule costs nothing here). One UPDATE of the rule's RuleUsage row reserves
// its deliveries: the row is locked while it is updated, and every count is computed from the row
// as it is then, so claims of several processes at once never go over a cap or the rate. The
// same statement marks the first sends as counted (capCounted): a delivery counts once, when it
// is first claimed to be sent; its retries, and a claim of it again after a lost lease, do not.
// What is not reserved is not sent: held until the cap's period resets (or SKIPPED, as the rule
// says), or, over the rate, left pending until the rate window's end. A rule whose rate window is
// full is passed over by every claim until the window ends (rateFullUntil), so a backlog waits
// without being claimed again and again.

const PERIODS = [...CAP_PERIODS, "rate"] as const;
type Counted = (typeof PERIODS)[number];

// Parameters: $1 rule, $2 first sends, $3 other requests, $4 the first sends' ids in order, $5 the
// rate window's end, then for each period its start and its limit (null: no limit).
const startParam = (i: number) => `$${6 + 2 * i}`;
const limitParam = (i: number) => `$${7 + 2 * i}::int`;
// The stored count when it is for this period (or a later one, written by a process whose clock is
// ahead), else the period has reset.
const current = (p: Counted, i: number) => `(CASE WHEN "${p}Start" >= ${utc(startParam(i))} THEN "${p}Used" ELSE 0 END)`;
const room = (p: Counted, i: number) => `(CASE WHEN ${limitParam(i)} IS NULL THEN 2147483647 ELSE GREATEST(${limitParam(i)} - ${current(p, i)}, 0) END)`;
const capRoom = `LEAST(${CAP_PERIODS.map((p, i) => room(p, i)).join(", ")})`;
const RATE = PERIODS.indexOf("rate");
const rateRoom = room("rate", RATE);
const grantFirst = `LEAST($2::int, ${capRoom}, ${rateRoom})`;
const grantOthers = `LEAST($3::int, ${rateRoom} - ${grantFirst})`;

const RESERVE = `WITH reserved AS (
    UPDATE "RuleUsage" SET
      ${CAP_PERIODS.map((p, i) => `"${p}Used" = ${current(p, i)} + ${grantFirst}, "${p}Start" = GREATEST("${p}Start", ${utc(startParam(i))})`).join(",\n      ")},
      "rateUsed" = ${current("rate", RATE)} + ${grantFirst} + ${grantOthers}, "rateStart" = GREATEST("rateStart", ${utc(startParam(RATE))}),
      "rateFullUntil" = CASE WHEN ${rateRoom} - ${grantFirst} - ${grantOthers} <= 0 THEN ${utc("$5")} ELSE "rateFullUntil" END,
      granted = ${grantFirst}, "grantedRetries" = ${grantOthers}
    WHERE "ruleId" = $1
    RETURNING granted, "grantedRetries", ${CAP_PERIODS.map((p) => `"${p}Used"`).join(", ")}
  ), counted AS (
    UPDATE "Delivery" SET "capCounted" = true WHERE id = ANY(($4::text[])[1:(SELECT granted FROM reserved)])
  )
  SELECT * FROM reserved`;
const RESERVE_NAME = statementName(RESERVE);

const CREATE = `INSERT INTO "RuleUsage" ("ruleId") VALUES ($1) ON CONFLICT DO NOTHING`;

// Once per period: only the claim that changes notifiedFor tells the admins.
const NOTIFY = `UPDATE "RuleUsage" SET "notifiedFor" = $2 WHERE "ruleId" = $1 AND "notifiedFor" IS DISTINCT FROM $2 RETURNING 1`;

type Reserved = { granted: number; grantedRetries: number } & Record<`${CapPeriod}Used`, number>;

/** `periods`: the caps' then the rate's, each with its limit (null: none). */
async function reserve(sql: Sql, ruleId: string, first: Claimed[], others: Claimed[], periods: (Period & { limit: number | null })[]): Promise<Reserved> {
  const params = [ruleId, first.length, others.length, first.map((d) => d.id), periods.at(-1)!.end.toISOString(), ...periods.flatMap((p) => [p.start.toISOString(), p.limit])];
  const [row] = await sql.query<Reserved>(RESERVE, params, RESERVE_NAME);
  if (row) return row;
  await sql.query(CREATE, [ruleId]);
  return reserve(sql, ruleId, first, others, periods);
}

/** Whether a claimed delivery is sent now as far as the rest of the engine knows (so limits apply to it). */
function wouldSend(d: Claimed, now: Date): boolean {
  return storedLimitsApply(d.deliveryLimits) && !switchedOffReason(d) && windowDecision(ruleFromRow({ timeWindow: d.timeWindow }).timeWindow, now).kind !== "wait";
}

/** Applies one rule's limits to its claimed deliveries: each one not reserved gets its decision (`limited`). */
async function limitRule(sql: Sql, ds: Claimed[], now: Date): Promise<void> {
  const { ruleId, organizationId } = ds[0]!;
  const limits: DeliveryLimits = parseDeliveryLimits(ds[0]!.deliveryLimits);
  const zone = capTimeZone(ds[0]!.timeWindow, limits.timezone);
  const caps = CAP_PERIODS.map((p) => ({ period: p, ...capPeriod(p, now, zone), limit: limits.caps[p] }));
  const rate = { ...rateWindow(limits.rate.per, now), limit: limits.rate.max };
  const first = ds.filter((d) => !d.capCounted && d.attemptCount === 0);
  const others = ds.filter((d) => d.capCounted || d.attemptCount > 0);
  const got = await reserve(sql, ruleId, first, others, [...caps, rate]);

  const overRate = (d: Claimed) => (d.limited = heldBack(d, rate.end, rateLimitedReason({ max: limits.rate.max ?? 0, per: limits.rate.per })));
  others.slice(got.grantedRetries).forEach(overRate);
  const denied = first.slice(got.granted);
  if (!denied.length) return;
  // Held for the cap whose period ends last among those that are full (all of them must reset).
  const full = caps.filter((c) => c.limit !== null && got[`${c.period}Used`] >= c.limit).sort((a, b) => b.end.getTime() - a.end.getTime());
  const cap = full[0];
  if (!cap) return void denied.forEach(overRate);
  const reason = cappedReason(limits.whenCapped, cap.period, cap.limit!);
  for (const d of denied) d.limited = limits.whenCapped === "skip" ? { ...skipped(d, reason, now), notSent: "capSkipped" } : heldBack(d, cap.end, reason);
  const told = await sql.query(NOTIFY, [ruleId, `${cap.period}:${cap.start.toISOString()}`]);
  if (told.length) {
    denied[0]!.limited!.capReached = { organizationId, ruleId, period: cap.period, limit: cap.limit!, resetsAt: cap.end.toISOString(), action: limits.whenCapped };
  }
}

/**
 * Reserves the claim's deliveries against their rules' caps and rate limits; a delivery that is
 * not to be sent now gets its decision in `limited` (held, skipped or waiting for the rate).
 */
export async function applyLimits(sql: Sql, claimed: Claimed[], now: Date): Promise<Claimed[]> {
  const byRule = new Map<string, Claimed[]>();
  for (const d of claimed) if (wouldSend(d, now)) byRule.set(d.ruleId, [...(byRule.get(d.ruleId) ?? []), d]);
  await Promise.all([...byRule.values()].map((ds) => limitRule(sql, ds, now)));
  return claimed;
}
