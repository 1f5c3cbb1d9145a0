import { z } from "zod";

// A rule's retry policy as stored (WebhookRule.retryPolicy, JSON): a schedule of delays, or
// exponential backoff. lib/delivery/policy/retry.ts applies it; the rule form edits it as flat
// fields (lib/rules/form/retry.ts). The default schedule is LeadLex's: immediately, then +30 s,
// +2 min, +10 min, +1 h, +6 h, then the delivery is FAILED.

export const DEFAULT_SCHEDULE_SECONDS = [0, 30, 120, 600, 3600, 21600] as const;
/** The longest delay between two attempts: 7 days. */
export const MAX_DELAY_SECONDS = 7 * 24 * 3600;

const seconds = z.int().min(0).max(MAX_DELAY_SECONDS);

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
