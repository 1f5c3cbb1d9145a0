import { describe, expect, it } from "vitest";
import { circuitOf, nextAttemptOf, pauseOf, pauseReason } from "./circuit";

describe("circuitOf", () => {
  const now = new Date("2026-12-01T10:00:00.000Z");

  it("is open, with the time and the reason, while the pause is ahead", () => {
    expect(circuitOf({ pausedUntil: new Date("2026-12-01T10:00:30.000Z"), pauseReason: "down" }, now)).toEqual({
      state: "open",
      pausedUntil: "2026-12-01T10:00:30.000Z",
      reason: "down",
    });
  });

  it("is closed when never paused, or once the pause has run out (its end included)", () => {
    const closed = { state: "closed", pausedUntil: null, reason: null };
    expect(circuitOf({ pausedUntil: null, pauseReason: null }, now)).toEqual(closed);
    expect(circuitOf({ pausedUntil: now, pauseReason: "down" }, now)).toEqual(closed);
    expect(circuitOf({ pausedUntil: new Date("2026-12-01T09:59:59.000Z"), pauseReason: "down" }, now)).toEqual(closed);
  });
});

describe("pauseOf", () => {
  const now = new Date("2026-12-01T10:00:00.000Z");

  it("gives the pause while it lasts, and nothing once it has run out", () => {
    const until = new Date("2026-12-01T10:00:30.000Z");
    expect(pauseOf({ pausedUntil: until, pauseReason: "down" }, now)).toEqual({ until, reason: "down" });
    expect(pauseOf({ pausedUntil: until, pauseReason: "down" }, until)).toBeNull();
    expect(pauseOf({ pausedUntil: null, pauseReason: null }, now)).toBeNull();
  });
});

describe("pauseReason", () => {
  const until = new Date("2026-12-01T14:03:07.450Z");

  it("names the streak and when the probe goes, in UTC", () => {
    expect(pauseReason({ threshold: 5 }, until)).toBe("5 requests in a row unanswered or answered 5xx; a probe request goes out at 14:03:07 UTC");
  });

  it("says when a failed probe paused the rule again", () => {
    expect(pauseReason("probe", until)).toBe("The probe request also went unanswered or answered 5xx; the next probe goes out at 14:03:07 UTC");
  });
});

describe("nextAttemptOf", () => {
  const now = new Date("2026-12-02T10:00:00Z");
  const at = (iso: string) => new Date(iso);
  it("is the delivery's own due time unless its rule's pause ends later", () => {
    const paused = { pausedUntil: at("2026-12-02T10:00:30Z") };
    expect(nextAttemptOf({ state: "PENDING", nextAttemptAt: at("2026-12-02T09:59:00Z") }, paused, now)).toEqual(at("2026-12-02T10:00:30Z"));
    expect(nextAttemptOf({ state: "PENDING", nextAttemptAt: at("2026-12-02T10:05:00Z") }, paused, now)).toEqual(at("2026-12-02T10:05:00Z"));
    expect(nextAttemptOf({ state: "PENDING", nextAttemptAt: at("2026-12-02T09:59:00Z") }, { pausedUntil: at("2026-12-02T09:59:30Z") }, now)).toEqual(at("2026-12-02T09:59:00Z")); // the pause is over
    expect(nextAttemptOf({ state: "PENDING", nextAttemptAt: at("2026-12-02T09:59:00Z") }, { pausedUntil: null }, now)).toEqual(at("2026-12-02T09:59:00Z"));
    expect(nextAttemptOf({ state: "SUCCEEDED", nextAttemptAt: at("2026-12-02T09:59:00Z") }, paused, now)).toEqual(at("2026-12-02T09:59:00Z"));
    expect(nextAttemptOf({ state: "PENDING", nextAttemptAt: null }, paused, now)).toBeNull();
  });
});
