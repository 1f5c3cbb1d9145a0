import type { AuthenticatedResponse } from "@/lib/domain/attempt";
import { describe, expect, it } from "vitest";
import { deferred, internalError, sent, skipped, switchedOffReason, UNDECRYPTABLE_MESSAGE, undecryptable, WAITING_MESSAGE, type SentResult } from "./outcome";
import { DEFAULT_RETRY_POLICY } from "@/lib/domain/rule/retry";
import { NO_RESPONSE_STATUS } from "./retry";

const NOW = new Date("2026-11-23T12:00:00.000Z");
const STARTED = new Date(NOW.getTime() - 250);
const d = {
  id: "dlv_1", organizationId: "org_1", ruleId: "rule_1", url: "https://hooks.example.com/in", method: "POST",
  requestHeaders: { "content-type": "application/json" }, attemptCount: 1, consecutiveFailures: 3,
};
const noJitter = () => 0.5;

function response(overrides: Partial<AuthenticatedResponse> = {}): AuthenticatedResponse {
  return {
    status: 200, headers: { "content-type": "text/plain" }, body: "ok", bodyTruncated: false, durationMs: 120,
    sentUrl: d.url, sentHeaders: { "content-type": "application/json", authorization: "[redacted]" }, ...overrides,
  };
}
function result(overrides: Partial<SentResult> = {}): SentResult {
  return { response: response(), state: "SUCCEEDED", nextAttemptAt: null, lastError: null, gone: false, responseValues: null, parsedError: null, ...overrides };
}

describe("skipped", () => {
  it("says which switch is off, the organization's first", () => {
    expect(switchedOffReason({ ruleEnabled: true, webhooksEnabled: true })).toBeNull();
    expect(switchedOffReason({ ruleEnabled: false, webhooksEnabled: true })).toBe("The rule is disabled");
    expect(switchedOffReason({ ruleEnabled: false, webhooksEnabled: false })).toBe("Webhooks are disabled for the organization");
  });

  it("completes the delivery as SKIPPED with the reason: no attempt, no health entry", () => {
    expect(skipped(d, "The rule is disabled", NOW)).toEqual({
      outcome: { id: d.id, state: "SKIPPED", attemptCount: 1, nextAttemptAt: null, lastStatusCode: null, lastError: "The rule is disabled", responseValues: null, completedAt: NOW.toISOString() },
      tally: "skipped",
    });
  });
});

describe("undecryptable credentials", () => {
  it("fails at once without an attempt, and counts as a failure for the rule", () => {
    const r = undecryptable(d, NOW);
    expect(r.outcome).toMatchObject({ state: "FAILED", attemptCount: 1, nextAttemptAt: null, lastError: UNDECRYPTABLE_MESSAGE, completedAt: NOW.toISOString() });
    expect(r.tally).toBe("failed");
    expect(r.attempt).toBeUndefined();
    expect(r.health).toEqual({ deliveryId: d.id, ruleId: d.ruleId, organizationId: d.organizationId, outcome: "FAILED", statusCode: null, errorClass: null, error: UNDECRYPTABLE_MESSAGE, at: NOW, ruleConsecutiveFailures: 3 });
  });
});

describe("internal error while sending", () => {
  const input = { detail: "boom\u0000", startedAt: STARTED, now: NOW, sentHeaders: { ...d.requestHeaders, authorization: "Bearer secret" }, retryPolicy: DEFAULT_RETRY_POLICY, random: noJitter };

  it("counts as an attempt with no response, retried per the policy", () => {
    const r = internalError(d, input);
    expect(r.outcome).toEqual({
      id: d.id, state: "PENDING", attemptCount: 2, nextAttemptAt: new Date(NOW.getTime() + 120_000).toISOString(), lastStatusCode: NO_RESPONSE_STATUS,
      lastError: "Internal error while sending: boom\uFFFD", responseValues: null, completedAt: null,
    });
    expect(r.tally).toBe("retrying");
    expect(r.attempt).toMatchObject({ deliveryId: d.id, number: 2, startedAt: STARTED, durationMs: 250, statusCode: NO_RESPONSE_STATUS, errorClass: "internal", errorMessage: "Internal error while sending: boom\uFFFD" });
    expect(r.attempt!.requestHeaders.authorization).not.toContain("secret");
    expect(r.health).toMatchObject({ outcome: "RETRYING", statusCode: NO_RESPONSE_STATUS, errorClass: "internal" });
  });

  it("fails when the policy has no attempt left", () => {
    const r = internalError({ ...d, attemptCount: 5 }, input);
    expect(r.outcome).toMatchObject({ state: "FAILED", attemptCount: 6, nextAttemptAt: null, completedAt: NOW.toISOString() });
    expect(r.tally).toBe("failed");
    expect(r.health?.outcome).toBe("FAILED");
  });
});

describe("deferred by the sending window", () => {
  it("stays PENDING until the window opens, attempts unchanged, nothing recorded", () => {
    const until = new Date("2026-11-24T14:00:00.000Z");
    expect(deferred(d, until)).toEqual({
      outcome: { id: d.id, state: "PENDING", attemptCount: 1, nextAttemptAt: until.toISOString(), lastStatusCode: null, lastError: WAITING_MESSAGE, responseValues: null, completedAt: null },
      tally: "deferred",
    });
  });
});

describe("sent", () => {
  const input = { startedAt: STARTED, now: NOW };

  it("records a success: the attempt as sent, the outcome, a SUCCEEDED health entry", () => {
    const r = sent(d, result({ responseValues: { crmId: "42\u0000" } }), input);
    expect(r.outcome).toEqual({
      id: d.id, state: "SUCCEEDED", attemptCount: 2, nextAttemptAt: null, lastStatusCode: 200, lastError: null, responseValues: { crmId: "42\uFFFD" }, completedAt: NOW.toISOString(),
    });
    expect(r.tally).toBe("succeeded");
    expect(r.attempt).toEqual({
      deliveryId: d.id, number: 2, startedAt: STARTED, durationMs: 120, requestUrl: d.url, requestMethod: "POST",
      requestHeaders: { "content-type": "application/json", authorization: "[redacted]" }, statusCode: 200, responseHeaders: { "content-type": "text/plain" },
      responseBody: "ok", bodyTruncated: false, errorClass: null, errorMessage: null, parsedError: undefined,
    });
    expect(r.health).toMatchObject({ outcome: "SUCCEEDED", statusCode: 200, error: null, at: NOW });
    expect(r.goneRuleId).toBeUndefined();
  });

  it("cleans what the receiver sent (NUL, lone surrogates) before it is stored", () => {
    const r = sent(d, result({ response: response({ body: "a\u0000b", headers: { "x-\ud800": "v\u0000" } }) }), input);
    expect(r.attempt).toMatchObject({ responseBody: "a\uFFFDb", responseHeaders: { "x-\uFFFD": "v\uFFFD" } });
  });

  it("a failed check is retried: PENDING, not completed, the reason on the attempt and the outcome", () => {
    const next = new Date(NOW.getTime() + 30_000);
    const r = sent(d, result({ state: "PENDING", nextAttemptAt: next, lastError: "Body check failed", parsedError: { code: "E1" } }), input);
    expect(r.outcome).toMatchObject({ state: "PENDING", nextAttemptAt: next.toISOString(), lastError: "Body check failed", completedAt: null });
    expect(r.tally).toBe("retrying");
    expect(r.attempt).toMatchObject({ errorMessage: "Body check failed", parsedError: { code: "E1" } });
    expect(r.health).toMatchObject({ outcome: "RETRYING", error: "Body check failed" });
  });

  it("a request Leadhooks could not build is a CONFIG_ERROR for the rule's health", () => {
    const res = response({ status: NO_RESPONSE_STATUS, error: { class: "config", message: "Bad header" } });
    const r = sent(d, result({ response: res, state: "FAILED", lastError: "Bad header" }), input);
    expect(r.outcome).toMatchObject({ state: "FAILED", lastStatusCode: NO_RESPONSE_STATUS, completedAt: NOW.toISOString() });
    expect(r.tally).toBe("failed");
    expect(r.attempt).toMatchObject({ errorClass: "config", errorMessage: "Bad header" });
    expect(r.health).toMatchObject({ outcome: "CONFIG_ERROR", errorClass: "config" });
  });

  it("410 Gone names the rule to disable", () => {
    const r = sent(d, result({ response: response({ status: 410 }), state: "FAILED", lastError: "HTTP 410", gone: true }), input);
    expect(r.goneRuleId).toBe(d.ruleId);
    expect(r.health).toMatchObject({ outcome: "FAILED", statusCode: 410 });
  });
});
