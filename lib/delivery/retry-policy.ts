import { z } from "zod";

// When to try a delivery again. The default schedule is LeadLex's: immediately, then +30 s,
// +2 min, +10 min, +1 h, +6 h, then the delivery is FAILED.

export const DEFAULT_SCHEDULE_SECONDS = [0, 30, 120, 600, 3600, 21600] as const;
export const JITTER = 0.2;
/** Bounds for a receiver's Retry-After: honoured, but it cannot stall a delivery for days. */
export const RETRY_AFTER_MIN_MS = 1_000;
export const RETRY_AFTER_MAX_MS = 6 * 3600_000;
/** A status code stored when no HTTP response came (DNS, connect, TLS, timeout, blocked). */
export const NO_RESPONSE_STATUS = 999;

const seconds = z.int().min(0).max(7 * 24 * 3600);

export const retryPolicySchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("schedule"),
    /** Delay before each attempt; the first is normally 0. Its length is the number of attempts. */
    delaysSeconds: z.array(seconds).min(1).max(20),
    retryOn4xx: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal("exponential"),
    baseSeconds: z.int().min(1).max(3600),
    maxAttempts: z.int().min(1).max(20),
    maxDelaySeconds: seconds.default(6 * 3600),
    retryOn4xx: z.boolean().default(false),
  }),
]);

export type RetryPolicy = z.output<typeof retryPolicySchema>;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { kind: "schedule", delaysSeconds: [...DEFAULT_SCHEDULE_SECONDS], retryOn4xx: false };

/** The rule's stored policy, or the default when it is empty or unreadable. */
export function parseRetryPolicy(stored: unknown): RetryPolicy {
  const parsed = retryPolicySchema.safeParse(stored);
  return parsed.success ? parsed.data : DEFAULT_RETRY_POLICY;
}

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

/** Seconds or an HTTP date, as RFC 9110 allows; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * Milliseconds to wait before the next attempt, after `attemptsMade` attempts; null when the
 * policy has no attempt left.
 */
export function nextDelayMs(policy: RetryPolicy, attemptsMade: number, retryAfter: number | null = null, random: () => number = Math.random): number | null {
  if (attemptsMade >= maxAttempts(policy)) return null;
  if (retryAfter !== null) return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, retryAfter));
  const base =
    policy.kind === "schedule"
      ? policy.delaysSeconds[attemptsMade]! * 1000
      : Math.min(policy.maxDelaySeconds, policy.baseSeconds * 2 ** (attemptsMade - 1)) * 1000;
  const jitter = 1 + (random() * 2 - 1) * JITTER;
  return Math.round(base * jitter);
}
