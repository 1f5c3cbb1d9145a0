import { INTERNAL_ERROR, type AuthenticatedResponse, type ErrorClass } from "@/lib/domain/attempt";
import { storableJson, storableText } from "@/lib/core/storable";
import { redactHeaders } from "./redact";
import type { ParsedErrorValues } from "./response";
import type { RetryPolicy } from "@/lib/domain/rule/retry";
import { NO_RESPONSE_STATUS, nextDelayMs } from "./retry";
import type { CapPeriod } from "@/lib/domain/rule/limits";
import type { FallbackTrigger } from "@/lib/domain/rule/chain";

// What the dispatcher records for one claimed delivery, decided without the database: the
// delivery's new state, the attempt row (when something was sent), the rule health entry (when
// the attempt counts for the rule's health) and which summary count it adds to. Five kinds:
// skipped (rule or organization switched off), undecryptable credentials, an internal error while
// sending, deferred by the sending window, and sent.

/** The claimed delivery as these decisions read it. */
export interface ClaimedDelivery {
  id: string;
  organizationId: string;
  ruleId: string;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  attemptCount: number;
  /** The rule's streak as read when claimed (lets rule health skip a query for clean successes). */
  consecutiveFailures: number;
  /** The rule's fallback and linked rules (null: it names neither, or this is a test send). */
  chain?: ChainSettings | null;
}

/** What a claimed delivery's rule passes the lead on to (policy/chain.ts). */
export interface ChainSettings {
  fallbackRuleId: string | null;
  linkedRuleId: string | null;
  fallbackOn: FallbackTrigger[];
}

/** A delivery's new state, as the batch's one UPDATE writes it (times as ISO text). */
export interface DeliveryOutcome {
  id: string;
  state: "PENDING" | "SUCCEEDED" | "FAILED" | "SKIPPED";
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  responseValues: Record<string, string> | null;
  completedAt: string | null;
}

/** One attempt as stored (DeliveryAttempt), everything from the other side made storable. */
export interface AttemptRecord {
  deliveryId: string;
  number: number;
  startedAt: Date;
  durationMs: number;
  requestUrl: string;
  requestMethod: string;
  requestHeaders: Record<string, string>;
  statusCode: number;
  responseHeaders: Record<string, string>;
  responseBody: string;
  /** The client stopped reading the response at its size cap. */
  bodyTruncated: boolean;
  errorClass: string | null;
  errorMessage: string | null;
  parsedError?: ParsedErrorValues;
}

/** One attempt's effect on its rule's health (failure streaks, warnings, disabling, error reports). */
export interface HealthEntry {
  deliveryId: string;
  ruleId: string;
  organizationId: string;
  /**
   * FAILED: the delivery gave up; RETRYING: this attempt failed and another is scheduled;
   * CONFIG_ERROR: it failed because Leadhooks could not build the request from the rule's settings
   * (nothing was sent): reported, but not a failure of the endpoint, so it is not counted toward
   * the automatic disable (nor does it end a streak).
   */
  outcome: "SUCCEEDED" | "FAILED" | "RETRYING" | "CONFIG_ERROR";
  /** The attempt's HTTP status (999: no response), null when nothing was sent. */
  statusCode: number | null;
  errorClass: string | null;
  error: string | null;
  at: Date;
  /**
   * Optional: the rule's consecutiveFailures as read when the delivery was claimed. When every
   * success of a rule in the batch carries 0, those successes cost no query at all; without it a
   * success costs one UPDATE per rule per batch (which changes nothing when the counters are already 0).
   */
  ruleConsecutiveFailures?: number;
}

/** The summary count a delivery adds to. */
export type Tally = "succeeded" | "retrying" | "failed" | "skipped" | "deferred";

/** A rule's cap was reached for the first time in its period: the admins are told. */
export interface CapReached {
  organizationId: string;
  ruleId: string;
  period: CapPeriod;
  limit: number;
  /** When the period resets (ISO 8601). */
  resetsAt: string;
  action: "hold" | "skip";
}

export interface Decision {
  outcome: DeliveryOutcome;
  tally: Tally;
  attempt?: AttemptRecord;
  health?: HealthEntry;
  /** The endpoint answered 410 Gone: this rule is to be disabled. */
  goneRuleId?: string;
  capReached?: CapReached;
  /** The claimed rule's chain settings (copied from the claim, so the recorder can pass the lead on). */
  chain?: ChainSettings;
  /** Why it was not sent now, when the lead may go to the fallback for it: a cap skipped it, or the sending window is closed. */
  notSent?: FallbackTrigger;
}

/** A sent attempt as judged by the rule's response rules and retry policy. */
export interface SentResult {
  response: AuthenticatedResponse;
  state: "SUCCEEDED" | "PENDING" | "FAILED";
  nextAttemptAt: Date | null;
  lastError: string | null;
  /** The endpoint answered 410 Gone: the rule is to be disabled. */
  gone: boolean;
  responseValues: Record<string, string> | null;
  parsedError: ParsedErrorValues | null;
}

const iso = (d: Date) => d.toISOString();

// PostgreSQL text and jsonb cannot hold NUL, and jsonb refuses a lone surrogate (a receiver's JSON
// can hold "\ud800", and a value cut at the parser's limit can split an emoji): a receiver that
// answers with one must not make the whole batch's bookkeeping fail (and its deliveries be re-sent
// forever). Everything recorded from the other side goes through clean / storableJson.
const clean = storableText;
const cleanHeaders = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [clean(k), clean(v)]));

const healthOf = (d: ClaimedDelivery, at: Date, outcome: HealthEntry["outcome"], statusCode: number | null, errorClass: string | null, error: string | null): HealthEntry => ({
  deliveryId: d.id, ruleId: d.ruleId, organizationId: d.organizationId, outcome, statusCode, errorClass, error, at, ruleConsecutiveFailures: d.consecutiveFailures,
});

const finished = (d: ClaimedDelivery, state: "SKIPPED" | "FAILED", lastError: string, now: Date): DeliveryOutcome => ({
  id: d.id, state, attemptCount: d.attemptCount, nextAttemptAt: null, lastStatusCode: null, lastError, responseValues: null, completedAt: iso(now),
});

/** The claimed rule's chain settings, for a decision. */
const chainOf = (d: ClaimedDelivery): Pick<Decision, "chain"> => (d.chain ? { chain: d.chain } : {});

/** Why a delivery is not sent at all (null: it is sent): its rule or its organization's webhooks are off. */
export function switchedOffReason(flags: { ruleEnabled: boolean; webhooksEnabled: boolean }): string | null {
  if (!flags.webhooksEnabled) return "Webhooks are disabled for the organization";
  return flags.ruleEnabled ? null : "The rule is disabled";
}

/** Skipped, with the reason: nothing sent, nothing counted for the rule's health. */
export function skipped(d: ClaimedDelivery, reason: string, now: Date): Decision {
  return { outcome: finished(d, "SKIPPED", reason, now), tally: "skipped", ...chainOf(d) };
}

export const UNDECRYPTABLE_MESSAGE = "The rule's credentials or signing secret cannot be decrypted: if APP_SECRET_KEY changed, start every process with the key the secrets were saved with; else enter the credentials again on the Authentication tab";

/** Unreadable credentials or secret (APP_SECRET_KEY changed?) cannot get better by retrying: failed at once. */
export function undecryptable(d: ClaimedDelivery, now: Date): Decision {
  return { outcome: finished(d, "FAILED", UNDECRYPTABLE_MESSAGE, now), tally: "failed", health: healthOf(d, now, "FAILED", null, null, UNDECRYPTABLE_MESSAGE), ...chainOf(d) };
}

/**
 * A bug of ours while sending one delivery: it counts as an attempt with no response, and the
 * retry policy decides what comes next. `detail` is already scrubbed of the rule's credentials.
 */
export function internalError(
  d: ClaimedDelivery,
  input: { detail: string; startedAt: Date; now: Date; sentHeaders: Record<string, string>; retryPolicy: RetryPolicy; random?: () => number },
): Decision {
  const message = clean(`Internal error while sending: ${input.detail}`);
  const number = d.attemptCount + 1;
  const delay = nextDelayMs(input.retryPolicy, number, null, input.random);
  const state = delay === null ? "FAILED" : "PENDING";
  return {
    outcome: {
      id: d.id, state, attemptCount: number, nextAttemptAt: delay === null ? null : iso(new Date(input.now.getTime() + delay)),
      lastStatusCode: NO_RESPONSE_STATUS, lastError: message, responseValues: null, completedAt: delay === null ? iso(input.now) : null,
    },
    tally: state === "FAILED" ? "failed" : "retrying",
    attempt: {
      deliveryId: d.id, number, startedAt: input.startedAt, durationMs: input.now.getTime() - input.startedAt.getTime(), requestUrl: clean(d.url),
      requestMethod: d.method, requestHeaders: cleanHeaders(redactHeaders(input.sentHeaders)), statusCode: NO_RESPONSE_STATUS,
      responseHeaders: {}, responseBody: "", bodyTruncated: false, errorClass: INTERNAL_ERROR, errorMessage: message,
    },
    health: healthOf(d, input.now, state === "PENDING" ? "RETRYING" : "FAILED", NO_RESPONSE_STATUS, INTERNAL_ERROR, message),
    ...chainOf(d),
  };
}

export const WAITING_MESSAGE = "Waiting for the rule's sending window";

/** Not sent now (the sending window, a cap or the rate limit): due again at `until`, `reason` shown meanwhile. */
export function heldBack(d: ClaimedDelivery, until: Date, reason: string): Decision {
  return {
    outcome: { id: d.id, state: "PENDING", attemptCount: d.attemptCount, nextAttemptAt: iso(until), lastStatusCode: null, lastError: reason, responseValues: null, completedAt: null },
    tally: "deferred",
    ...chainOf(d),
  };
}

/** Outside the rule's sending window: nothing sent, due again when the window opens. */
export function deferred(d: ClaimedDelivery, until: Date): Decision {
  return { ...heldBack(d, until, WAITING_MESSAGE), ...(d.chain ? { notSent: "outsideWindow" as const } : {}) };
}

const TALLY: Record<SentResult["state"], Tally> = { SUCCEEDED: "succeeded", FAILED: "failed", PENDING: "retrying" };

/** Sent: the attempt as made, the delivery's new state, and the rule's health entry. */
export function sent(d: ClaimedDelivery, result: SentResult, input: { startedAt: Date; now: Date }): Decision {
  const res = result.response;
  const number = d.attemptCount + 1;
  const errorClass: ErrorClass | null = res.error?.class ?? null;
  const lastError = result.lastError ? clean(result.lastError) : null;
  const health = result.state === "PENDING" ? "RETRYING" : errorClass === "config" ? "CONFIG_ERROR" : result.state;
  return {
    outcome: {
      id: d.id, state: result.state, attemptCount: number, nextAttemptAt: result.nextAttemptAt ? iso(result.nextAttemptAt) : null,
      lastStatusCode: res.status, lastError, responseValues: result.responseValues ? storableJson(result.responseValues) : null,
      completedAt: result.state === "PENDING" ? null : iso(input.now),
    },
    tally: TALLY[result.state],
    attempt: {
      deliveryId: d.id,
      number,
      startedAt: input.startedAt,
      durationMs: res.durationMs,
      requestUrl: clean(res.sentUrl),
      requestMethod: d.method,
      requestHeaders: cleanHeaders(res.sentHeaders),
      statusCode: res.status,
      responseHeaders: cleanHeaders(res.headers),
      responseBody: clean(res.body),
      bodyTruncated: res.bodyTruncated,
      errorClass,
      // Why the attempt failed even when a response came (a body check, a status outside the rule's list).
      errorMessage: res.error ? clean(res.error.message) : result.state !== "SUCCEEDED" && result.lastError ? clean(result.lastError) : null,
      parsedError: result.parsedError ? storableJson(result.parsedError) : undefined,
    },
    health: healthOf(d, input.now, health, res.status, errorClass, lastError),
    ...(result.gone ? { goneRuleId: d.ruleId } : {}),
    ...chainOf(d),
  };
}
