import { z } from "zod";
import { DEFAULT_RETRY_POLICY, DEFAULT_SCHEDULE_SECONDS, MAX_DELAY_SECONDS, parseRetryPolicy, retryPolicySchema, type RetryPolicy } from "@/lib/domain/rule/retry";

// The rule form's retry policy fields. The form edits flat fields (a strategy, a comma-separated
// list of delays, or base/attempts/cap for exponential backoff); the rule stores the policy JSON
// (lib/domain/rule/retry.ts) that lib/delivery/policy/retry.ts applies.

export const RETRY_MESSAGES = {
  delays: "Enter 1 to 20 delays in seconds, separated by commas (e.g. 0, 30, 120), each at most 604800 (7 days).",
  base: "Enter a base delay from 1 to 3600 seconds.",
  attempts: "Enter from 1 to 20 attempts.",
  cap: "Enter a longest delay from 1 to 604800 seconds (7 days).",
} as const;

const int = (message: string, min: number, max: number) => z.number({ error: message }).int(message).min(min, message).max(max, message);

export const retryFormFields = {
  retryKind: z.enum(["schedule", "exponential"]).default("schedule"),
  retryDelays: z.string().trim().default(DEFAULT_SCHEDULE_SECONDS.join(", ")),
  retryBaseSeconds: int(RETRY_MESSAGES.base, 1, 3600).default(30),
  retryMaxAttempts: int(RETRY_MESSAGES.attempts, 1, 20).default(6),
  retryMaxDelaySeconds: int(RETRY_MESSAGES.cap, 1, MAX_DELAY_SECONDS).default(6 * 3600),
  retryOn4xx: z.boolean().default(false),
};

export interface RetryFormValues {
  retryKind: "schedule" | "exponential";
  retryDelays: string;
  retryBaseSeconds: number;
  retryMaxAttempts: number;
  retryMaxDelaySeconds: number;
  retryOn4xx: boolean;
}

/** "0, 30, 120" → [0, 30, 120]; null when any entry is not a whole number of seconds in range. */
export function parseDelays(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length < 1 || parts.length > 20) return null;
  const delays = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  return delays.every((d) => Number.isInteger(d) && d <= MAX_DELAY_SECONDS) ? delays : null;
}

/** Adds a field error when the schedule's delays do not parse (only for the schedule strategy). */
export function refineRetry(values: Pick<RetryFormValues, "retryKind" | "retryDelays">, ctx: z.RefinementCtx): void {
  if (values.retryKind === "schedule" && !parseDelays(values.retryDelays)) {
    ctx.addIssue({ code: "custom", path: ["retryDelays"], message: RETRY_MESSAGES.delays });
  }
}

/** The policy JSON stored on the rule. */
export function retryPolicyFromForm(v: RetryFormValues): RetryPolicy {
  return retryPolicySchema.parse(
    v.retryKind === "schedule"
      ? { kind: "schedule", delaysSeconds: parseDelays(v.retryDelays) ?? [...DEFAULT_SCHEDULE_SECONDS], retryOn4xx: v.retryOn4xx }
      : { kind: "exponential", baseSeconds: v.retryBaseSeconds, maxAttempts: v.retryMaxAttempts, maxDelaySeconds: v.retryMaxDelaySeconds, retryOn4xx: v.retryOn4xx },
  );
}

/** The form's fields for a stored policy (the default when it is empty or unreadable). */
export function retryFormFromPolicy(stored: unknown): RetryFormValues {
  const p = parseRetryPolicy(stored);
  const defaults = DEFAULT_RETRY_POLICY.kind === "schedule" ? DEFAULT_RETRY_POLICY.delaysSeconds : [];
  return p.kind === "schedule"
    ? { retryKind: "schedule", retryDelays: p.delaysSeconds.join(", "), retryBaseSeconds: 30, retryMaxAttempts: 6, retryMaxDelaySeconds: 6 * 3600, retryOn4xx: p.retryOn4xx }
    : { retryKind: "exponential", retryDelays: defaults.join(", "), retryBaseSeconds: p.baseSeconds, retryMaxAttempts: p.maxAttempts, retryMaxDelaySeconds: p.maxDelaySeconds, retryOn4xx: p.retryOn4xx };
}
