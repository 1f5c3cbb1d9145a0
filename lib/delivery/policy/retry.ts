import type { RetryPolicy } from "@/lib/domain/rule/retry";

// When to try a delivery again, by the rule's retry policy (lib/domain/rule/retry.ts).

export const JITTER = 0.2;
/** Bounds for a receiver's Retry-After: honoured, but it cannot stall a delivery for days. */
export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 6 * 3600_000;
/** A status code stored when no HTTP response came (DNS, connect, TLS, timeout, blocked). */
export const NO_RESPONSE_STATUS = 999;

export function maxAttempts(policy: RetryPolicy): number {
  return policy.kind === "schedule" ? policy.delaysSeconds.length : policy.maxAttempts;
}

export type AttemptVerdict = "success" | "retry" | "fail" | "gone";

/** What an attempt's status code means for the delivery, before counting attempts. */
export function classifyStatus(status: number, policy: RetryPolicy): AttemptVerdict {
  if (status >= 200 && status < 300) return "success";
  if (status === 410) return "gone"; // the receiver says the endpoint is gone for good
  if (status === NO_RESPONSE_STATUS || status === 408 || status === 429 || status >= 500) return "retry";
  if (status >= 400 && status < 500) return policy.retryOn4xx ? "retry" : "fail";
  return "retry"; // 1xx/3xx: redirects are not followed, the endpoint may be fixed later
}

/**
 * A receiver's Retry-After (RFC 9110 §10.2.3) as milliseconds to wait: delay-seconds (digits
 * only) or an HTTP-date in one of its three forms. Anything else ("1.5", "-3", an ISO date) is
 * not a Retry-After value: null, and the rule's own schedule applies.
 */
export function parseRetryAfterMs(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  // Only OWS (SP, HTAB) surrounds a field value; String.trim would also drop NBSP, BOM, U+3000…
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, "");
  if (/^[0-9]+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = parseHttpDate(trimmed, now);
  return at === null ? null : Math.max(0, at - now);
}

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const DAY_LONG = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
/** RFC 9110 §5.6.7: IMF-fixdate, then the two obsolete forms every recipient must still accept. */
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/** Epoch ms of an RFC 9110 HTTP-date (all three forms are UTC), or null for anything else. */
export function parseHttpDate(value: string, now = Date.now()): number | null {
  let day: string, month: string, year: number, time: string[];
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(value))) [day, month, year, time] = [m[1]!, m[2]!, Number(m[3]), m.slice(4, 7)];
  else if ((m = RFC850_DATE.exec(value))) {
    // A two-digit year more than 50 years ahead is the most recent such year in the past.
    const thisYear = new Date(now).getUTCFullYear();
    let y = Math.floor(thisYear / 100) * 100 + Number(m[3]);
    if (y > thisYear + 50) y -= 100;
    [day, month, year, time] = [m[1]!, m[2]!, y, m.slice(4, 7)];
  } else if ((m = ASCTIME_DATE.exec(value))) [month, day, time, year] = [m[1]!, m[2]!.trim(), m.slice(3, 6), Number(m[6])];
  else return null;
  const [hh, mm, ss] = time.map(Number) as [number, number, number];
  const mon = MONTHS.indexOf(month);
  const at = Date.UTC(year, mon, Number(day), hh, mm, ss);
  const d = new Date(at);
  // Date.UTC rolls 31 Feb over into March and 25:00 into the next day: such a date is invalid.
  const exact = d.getUTCFullYear() === year && d.getUTCMonth() === mon && d.getUTCDate() === Number(day) && d.getUTCHours() === hh && d.getUTCMinutes() === mm && d.getUTCSeconds() === ss;
  return exact ? at : null;
}

/**
 * Milliseconds to wait before the next attempt, after `attemptsMade` attempts; null when the
 * policy has no attempt left. A receiver's Retry-After (within its bounds) is the least wait, never
 * a shorter one than the rule's schedule: a receiver that rate-limits with "Retry-After: 20" on
 * every answer used to have the whole schedule (30 s … 6 h) spent in about two minutes, the
 * delivery failed, and the rule disabled after enough of them.
 */
export function nextDelayMs(policy: RetryPolicy, attemptsMade: number, retryAfterMs: number | null = null, random: () => number = Math.random): number | null {
  if (attemptsMade >= maxAttempts(policy)) return null;
  const base =
    policy.kind === "schedule"
      ? policy.delaysSeconds[attemptsMade]! * 1000
      : Math.min(policy.maxDelaySeconds, policy.baseSeconds * 2 ** (attemptsMade - 1)) * 1000;
  const jitter = 1 + (random() * 2 - 1) * JITTER;
  const scheduled = Math.round(base * jitter);
  return retryAfterMs === null ? scheduled : Math.max(scheduled, Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, retryAfterMs)));
}
