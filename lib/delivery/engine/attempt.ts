import type { AuthenticatedResponse } from "@/lib/domain/attempt";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import type { ResponseRules } from "@/lib/domain/rule/response";
import type { TimeWindow } from "@/lib/domain/rule/request";
import { sendAuthenticated, type TokenCache } from "../transport/auth";
import type { GuardedHttpClient } from "../transport/http-client";
import { windowDecision } from "../policy/time-window";
import { evaluateResponse } from "../policy/response";
import { ruleSecretValues, scrubResponse, secretScrubber } from "../transport/secrets";
import { classifyStatus, nextDelayMs, parseRetryAfterMs } from "../policy/retry";
import type { RetryPolicy } from "@/lib/domain/rule/retry";
import type { SentResult } from "../policy/outcome";

// One attempt of one delivery, as the dispatcher makes it: wait for the rule's sending window,
// authenticate, send the frozen (signed) request, then judge the response by the rule's response
// rules and retry policy. Pure apart from the HTTP client, so the dispatcher keeps the database
// work and this keeps the decisions.

export interface AttemptInput {
  deliveryId: string;
  ruleId: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  attemptsMade: number;
  auth: AuthConfig;
  responseRules: ResponseRules;
  retryPolicy: RetryPolicy;
  timeWindow: TimeWindow | null;
  /** The secrets that signed the request: scrubbed, with the credentials, from what comes back. */
  signingSecrets: readonly string[];
}

export type AttemptResult =
  /** Outside the rule's sending window: nothing was sent, the delivery waits for it to open. */
  | { kind: "deferred"; until: Date }
  | ({ kind: "sent" } & SentResult);

export interface AttemptOptions {
  client: GuardedHttpClient;
  tokenCache?: TokenCache;
  now: () => Date;
  random?: () => number;
}

/**
 * Failures no later attempt can mend, so the delivery fails at once with the reason: the SSRF
 * guard refused the destination (of the request or of its OAuth token request), or Leadhooks
 * cannot build the request from the rule's settings. The admin fixes the rule, then retries.
 */
export function finalFailure(response: Pick<AuthenticatedResponse, "error" | "authError">): boolean {
  const cls = response.authError?.errorClass ?? response.error?.class;
  return cls === "blocked" || cls === "config";
}

export async function attemptDelivery(input: AttemptInput, opts: AttemptOptions): Promise<AttemptResult> {
  const started = opts.now();
  // The request was rendered for the window (an alternate URL is already in it): only waiting is left.
  const sending = windowDecision(input.timeWindow, started);
  if (sending.kind === "wait") return { kind: "deferred", until: sending.until };
  const sent = await sendAuthenticated(
    opts.client,
    { url: input.url, method: input.method, headers: input.headers, body: input.method === "GET" ? undefined : input.body, timeoutMs: input.timeoutMs },
    input.auth,
    { cacheKey: input.ruleId, tokenCache: opts.tokenCache, now: () => opts.now().getTime() },
  );
  // Before anything reads the answer (response rules, the stored attempt, the last error): an
  // endpoint that echoes the request must not put the rule's credentials on the delivery page.
  const response = scrubResponse(sent, secretScrubber(ruleSecretValues({ auth: input.auth, signingSecrets: input.signingSecrets, sent })));
  const judged = evaluateResponse(input.responseRules, response);
  // The rule's success statuses and body check decide success; for a failure, the status decides
  // whether another attempt can help (a 2xx that failed the body check is retried).
  let verdict = judged.success ? "success" : finalFailure(response) ? "fail" : classifyStatus(response.status, input.retryPolicy);
  if (!judged.success && verdict === "success") verdict = "retry";
  const lastError = judged.success
    ? null
    : (response.authError?.message ?? response.error?.message ?? response.challengeError ?? judged.reason ?? `HTTP ${response.status}`);
  const attemptsMade = input.attemptsMade + 1;
  const base = { kind: "sent" as const, response, lastError, gone: verdict === "gone", responseValues: judged.values, parsedError: judged.error };
  if (verdict === "success") return { ...base, state: "SUCCEEDED", nextAttemptAt: null };
  const delay = verdict === "retry" ? nextDelayMs(input.retryPolicy, attemptsMade, parseRetryAfterMs(response.headers["retry-after"]), opts.random) : null;
  if (delay === null) return { ...base, state: "FAILED", nextAttemptAt: null };
  return { ...base, state: "PENDING", nextAttemptAt: new Date(opts.now().getTime() + delay) };
}
