import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY } from "@/lib/domain/rule/retry";
import { internalError } from "../policy/outcome";
import { Breakers, endpointFailed } from "./breaker";

describe("Breakers", () => {
  it("pauses a rule after `threshold` failures in a row, probes once after the cooldown, resumes on success", () => {
    const b = new Breakers({ threshold: 3, cooldownMs: 1000 });
    expect(b.room("r", 0)).toBe(Infinity);
    expect(b.ended("r", true, 10)).toBeNull();
    expect(b.ended("r", true, 20)).toBeNull();
    expect(b.ended("r", true, 30)).toBe(1030);
    expect(b.room("r", 500)).toBe(0);
    expect(b.restricted(500)).toEqual([["r", 0]]);
    expect(b.ended("r", true, 600)).toBeNull(); // sent before the pause: no change
    expect(b.room("r", 1030)).toBe(1);
    expect(b.probing("r")).toBe(false);
    b.started("r", 1030);
    expect(b.probing("r")).toBe(true);
    expect(b.room("r", 1031)).toBe(0); // one probe at a time
    expect(b.ended("r", false, 1100)).toBeNull();
    expect(b.probing("r")).toBe(false);
    expect(b.room("r", 1100)).toBe(Infinity);
    expect(b.restricted(1100)).toEqual([]);
  });

  it("a success ends the streak; a failed probe pauses the rule again", () => {
    const b = new Breakers({ threshold: 2, cooldownMs: 100 });
    b.ended("r", true, 0);
    b.ended("r", false, 1);
    expect(b.ended("r", true, 2)).toBeNull(); // the streak started over
    expect(b.ended("r", true, 3)).toBe(103);
    b.started("r", 50); // still paused: not a probe
    expect(b.room("r", 50)).toBe(0);
    b.started("r", 103);
    expect(b.ended("r", true, 150)).toBe(250);
    expect(b.room("r", 200)).toBe(0);
    expect(b.room("other", 200)).toBe(Infinity);
  });
});

describe("a pause lifted on the rule's row", () => {
  it("is asked about only once the row holds it, while it runs; lifting closes the breaker", () => {
    const b = new Breakers({ threshold: 1, cooldownMs: 100 });
    expect(b.ended("r", true, 0)).toBe(100);
    expect(b.pausedHere(10)).toEqual([]); // not written yet: a row without it says nothing
    b.written("r", 99); // another pause's end: not this one
    expect(b.pausedHere(10)).toEqual([]);
    b.written("r", 100);
    expect(b.pausedHere(10)).toEqual([["r", 100]]);
    expect(b.pausedHere(100)).toEqual([]); // run out: the probe decides now
    b.lift("r");
    expect(b.room("r", 10)).toBe(Infinity);
    expect(b.restricted(10)).toEqual([]);
  });

  it("leaves a probe in flight and a closed breaker's count alone", () => {
    const b = new Breakers({ threshold: 2, cooldownMs: 100 });
    b.ended("counting", true, 0);
    b.lift("counting");
    expect(b.ended("counting", true, 1)).toBe(101); // its streak was kept
    b.started("counting", 101); // the probe
    b.lift("counting");
    expect(b.probing("counting")).toBe(true);
  });
});

describe("endpointFailed", () => {
  it("counts requests unanswered and 5xx answers, not 4xx, the guard's refusals or our configuration errors", () => {
    expect(endpointFailed({ statusCode: 999, errorClass: "timeout", outcome: "RETRYING" })).toBe(true);
    for (const errorClass of ["connection_refused", "connection_reset", "dns", "tls", "protocol", "network"] as const) {
      expect(endpointFailed({ statusCode: 999, errorClass, outcome: "RETRYING" })).toBe(true);
    }
    expect(endpointFailed({ statusCode: 999, errorClass: "auth", outcome: "RETRYING" })).toBe(false);
    expect(endpointFailed({ statusCode: 503, errorClass: null, outcome: "RETRYING" })).toBe(true);
    expect(endpointFailed({ statusCode: 404, errorClass: null, outcome: "FAILED" })).toBe(false);
    expect(endpointFailed({ statusCode: 999, errorClass: "blocked", outcome: "RETRYING" })).toBe(false);
    expect(endpointFailed({ statusCode: 999, errorClass: "config", outcome: "CONFIG_ERROR" })).toBe(false);
    expect(endpointFailed({ statusCode: null, errorClass: null, outcome: "FAILED" })).toBe(false);
  });

  it("does not count a fault of ours while sending (it paused healthy rules after five in a row)", () => {
    const d = {
      id: "d1", ruleId: "r1", organizationId: "o1", attemptCount: 0, url: "https://example.com/hook", method: "POST", requestHeaders: {}, ruleConsecutiveFailures: 0,
    } as unknown as Parameters<typeof internalError>[0];
    const now = new Date("2026-12-03T12:00:00Z");
    const decision = internalError(d, { detail: "boom", startedAt: now, now, sentHeaders: {}, retryPolicy: DEFAULT_RETRY_POLICY, random: () => 0.5 });
    expect(decision.health).toMatchObject({ errorClass: "internal", statusCode: 999 });
    expect(endpointFailed(decision.health!)).toBe(false);
  });
});
