import { z } from "zod";
import { isTimeZone, RULE_REQUEST_MESSAGES } from "./request";

// A rule's delivery limits: caps on how many deliveries it sends per hour, day, week and month
// (counted in the caps' own time zone, else the sending window's, else UTC), what happens to a delivery once a cap is reached, and a rate
// limit on requests to its endpoint. Stored as WebhookRule.deliveryLimits; null when the rule has
// none, so the engine does nothing more for its deliveries.

export const CAP_PERIODS = ["hour", "day", "week", "month"] as const;
export type CapPeriod = (typeof CAP_PERIODS)[number];

export const RATE_PERIODS = ["second", "minute"] as const;
export type RatePeriod = (typeof RATE_PERIODS)[number];

export const CAP_MAX = 10_000_000;
export const RATE_MAX = 100_000;

export const LIMIT_MESSAGES = {
  cap: `Enter a whole number from 1 to ${CAP_MAX.toLocaleString("en-US")}, or leave it empty for no cap.`,
  rate: `Enter a whole number of requests from 1 to ${RATE_MAX.toLocaleString("en-US")}, or leave it empty for no limit.`,
} as const;

const cap = z.int(LIMIT_MESSAGES.cap).min(1, LIMIT_MESSAGES.cap).max(CAP_MAX, LIMIT_MESSAGES.cap).nullable().default(null);

export const deliveryLimitsSchema = z.strictObject({
  caps: z
    .strictObject({ hour: cap, day: cap, week: cap, month: cap })
    .prefault({})
    .describe("At most this many deliveries per hour, day, week (from Monday) and month, in timezone (else the sending window's time zone, else UTC); null: no cap for that period. A delivery counts once, when it is first sent; its retries do not count again."),
  timezone: z
    .string()
    .trim()
    .max(100)
    .refine(isTimeZone, RULE_REQUEST_MESSAGES.windowTimezone)
    .nullish()
    .describe("The IANA time zone the caps' periods are counted in (e.g. America/New_York); absent or null: the sending window's time zone while it is on, else UTC."),
  whenCapped: z
    .enum(["hold", "skip"])
    .default("hold")
    .describe("Once a cap is reached: hold keeps new deliveries waiting until the period resets (never dropped); skip marks them SKIPPED with the cap as the reason."),
  rate: z
    .strictObject({
      max: z.int(LIMIT_MESSAGES.rate).min(1, LIMIT_MESSAGES.rate).max(RATE_MAX, LIMIT_MESSAGES.rate).nullable().default(null),
      per: z.enum(RATE_PERIODS).default("second"),
    })
    .prefault({})
    .describe("At most max requests to the endpoint per second or per minute, across every worker (retries included); requests over it wait, never dropped. max null: no limit."),
});
export type DeliveryLimits = z.output<typeof deliveryLimitsSchema>;

export const NO_LIMITS: DeliveryLimits = { caps: { hour: null, day: null, week: null, month: null }, whenCapped: "hold", rate: { max: null, per: "second" } };

/** Whether the limits limit anything (a cap or a rate is set). */
export function hasLimits(l: DeliveryLimits): boolean {
  return l.rate.max !== null || CAP_PERIODS.some((p) => l.caps[p] !== null);
}

/** WebhookRule.deliveryLimits as stored (null or unreadable: none). */
export function parseDeliveryLimits(stored: unknown): DeliveryLimits {
  const parsed = deliveryLimitsSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : NO_LIMITS;
}

/**
 * The column's value: null when every setting is the default (no cap, no rate, no time zone of
 * the caps' own, hold when capped); settings chosen before any cap is set are kept.
 */
export function deliveryLimitsColumn(l: DeliveryLimits): DeliveryLimits | null {
  return hasLimits(l) || l.timezone || l.whenCapped !== NO_LIMITS.whenCapped ? l : null;
}

/** Whether a stored column (as a claim reads it) limits anything: a cap or a rate is set. */
export function storedLimitsApply(stored: unknown): boolean {
  return stored !== null && stored !== undefined && hasLimits(parseDeliveryLimits(stored));
}

const PERIOD_WORDS: Record<CapPeriod, { adjective: string; noun: string }> = {
  hour: { adjective: "hourly", noun: "this hour" },
  day: { adjective: "daily", noun: "today" },
  week: { adjective: "weekly", noun: "this week" },
  month: { adjective: "monthly", noun: "this month" },
};

/** "daily cap of 500 deliveries" */
export function capLabel(period: CapPeriod, limit: number): string {
  return `${PERIOD_WORDS[period].adjective} cap of ${limit.toLocaleString("en-US")} ${limit === 1 ? "delivery" : "deliveries"}`;
}

/** "412 / 500 today" */
export function usageLabel(period: CapPeriod, used: number, limit: number): string {
  return `${used.toLocaleString("en-US")} / ${limit.toLocaleString("en-US")} ${PERIOD_WORDS[period].noun}`;
}

/** "10 requests per second" */
export function rateLabel(rate: { max: number; per: RatePeriod }): string {
  return `${rate.max.toLocaleString("en-US")} ${rate.max === 1 ? "request" : "requests"} per ${rate.per}`;
}

/** How the last error of a delivery held by a cap, and of one waiting for the rate limit, begins. */
export const CAP_HELD_PREFIX = "Held: ";
export const RATE_WAITING_PREFIX = "Waiting for the rule's rate limit";

/** A delivery held or skipped by a cap, as its last error says it. */
export function cappedReason(action: "hold" | "skip", period: CapPeriod, limit: number): string {
  const reached = `the rule's ${capLabel(period, limit)} is reached`;
  return action === "skip" ? `Skipped: ${reached}` : `${CAP_HELD_PREFIX}${reached}; it is sent when the period resets`;
}

/** A delivery waiting for the rule's rate limit, as its last error says it. */
export function rateLimitedReason(rate: { max: number; per: RatePeriod }): string {
  return `${RATE_WAITING_PREFIX} (${rateLabel(rate)})`;
}
