import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, parseRetryPolicy, type RetryPolicy } from "@/lib/domain/rule/retry";
import { classifyStatus, maxAttempts, nextDelayMs, parseRetryAfterMs } from "./retry";

const noJitter = () => 0.5;

describe("retry policy", () => {
  it("defaults to immediate, +30 s, +2 min, +10 min, +1 h, +6 h, then stops", () => {
    const policy = parseRetryPolicy({});
    expect(policy).toEqual(DEFAULT_RETRY_POLICY);
    const delays = [1, 2, 3, 4, 5, 6].map((n) => nextDelayMs(policy, n, null, noJitter));
    expect(delays).toEqual([30_000, 120_000, 600_000, 3_600_000, 21_600_000, null]);
    expect(maxAttempts(policy)).toBe(6);
  });

  it("jitters by at most ±20%", () => {
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, null, () => 0)).toBe(24_000);
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, null, () => 0.999999)).toBe(36_000);
  });

  it("grows exponentially up to its cap", () => {
    const policy: RetryPolicy = { kind: "exponential", baseSeconds: 10, maxAttempts: 5, maxDelaySeconds: 35, retryOn4xx: false };
    expect([1, 2, 3, 4, 5].map((n) => nextDelayMs(policy, n, null, noJitter))).toEqual([10_000, 20_000, 35_000, 35_000, null]);
  });

  it("honours Retry-After within bounds, as the least wait", () => {
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, 90_000)).toBe(90_000);
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, 30 * 86_400_000)).toBe(6 * 3_600_000);
    // Shorter than the schedule's wait: the schedule's (a receiver cannot spend the attempts faster).
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, 0, noJitter)).toBe(30_000);
    expect([1, 2, 3, 4, 5].map((n) => nextDelayMs(DEFAULT_RETRY_POLICY, n, 20_000, noJitter))).toEqual([30_000, 120_000, 600_000, 3_600_000, 21_600_000]);
    // A schedule of short waits: the receiver's floor of 1 s at least.
    const quick: RetryPolicy = { kind: "schedule", delaysSeconds: [0, 0, 0], retryOn4xx: false };
    expect(nextDelayMs(quick, 1, 0, noJitter)).toBe(1_000);
    expect(nextDelayMs(quick, 1, 5_000, noJitter)).toBe(5_000);
    expect(parseRetryAfterMs("120")).toBe(120_000);
    expect(parseRetryAfterMs(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(55_000);
    expect(parseRetryAfterMs("soon")).toBeNull();
  });

  it("reads Retry-After only in RFC 9110's forms: delay-seconds and the three HTTP-date forms", () => {
    const now = Date.UTC(1994, 10, 6, 8, 49, 0); // Sun, 06 Nov 1994 08:49:00 GMT
    expect(parseRetryAfterMs("0", now)).toBe(0);
    expect(parseRetryAfterMs(" 120 ", now)).toBe(120_000); // the field value's surrounding whitespace is not part of it
    expect(parseRetryAfterMs("\t120\t", now)).toBe(120_000); // OWS is SP and HTAB
    // Other whitespace is not OWS: a value wrapped in it is not delay-seconds or an HTTP-date.
    for (const v of ["5\u00a0", "\u00a05", "\ufeff5", "5\u3000", "\u2028120", "5\n", "\u00a0Sun, 06 Nov 1994 08:49:37 GMT"]) {
      expect([v, parseRetryAfterMs(v, now)]).toEqual([v, null]);
    }
    expect(parseRetryAfterMs("Sun, 06 Nov 1994 08:49:37 GMT", now)).toBe(37_000); // IMF-fixdate
    expect(parseRetryAfterMs("Sunday, 06-Nov-94 08:49:37 GMT", now)).toBe(37_000); // obsolete RFC 850
    expect(parseRetryAfterMs("Sun Nov  6 08:49:37 1994", now)).toBe(37_000); // asctime, read as UTC
    expect(parseRetryAfterMs("Sun, 06 Nov 1994 08:48:00 GMT", now)).toBe(0); // a date in the past: at once
    // Not RFC 9110 values: ignored, whatever Date.parse would make of them.
    for (const v of ["1.5", "-3", "+5", "1e3", "0x10", "5 s", "3,600", "١٢", "2026-12-01T10:00:00Z", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 PST", "06 Nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT", "tomorrow", ""]) {
      expect([v, parseRetryAfterMs(v, now)]).toEqual([v, null]);
    }
  });

  it("retries 408, 429, 5xx and no-response, never other 4xx unless the rule says so; 410 is gone", () => {
    const verdicts = [200, 204, 301, 400, 401, 404, 408, 410, 422, 429, 500, 503, 999].map((s) => [s, classifyStatus(s, DEFAULT_RETRY_POLICY)]);
    expect(Object.fromEntries(verdicts)).toEqual({
      200: "success", 204: "success", 301: "retry", 400: "fail", 401: "fail", 404: "fail", 408: "retry",
      410: "gone", 422: "fail", 429: "retry", 500: "retry", 503: "retry", 999: "retry",
    });
    expect(classifyStatus(404, { ...DEFAULT_RETRY_POLICY, retryOn4xx: true })).toBe("retry");
  });
});
