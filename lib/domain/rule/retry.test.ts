import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, parseRetryPolicy } from "./retry";

describe("a stored retry policy", () => {
  it("falls back to the default for an unreadable stored policy", () => {
    expect(parseRetryPolicy({ kind: "schedule", delaysSeconds: [] })).toEqual(DEFAULT_RETRY_POLICY);
    expect(parseRetryPolicy(null)).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("reads a valid policy with its defaults filled in", () => {
    expect(parseRetryPolicy({ kind: "exponential", baseSeconds: 10, maxAttempts: 3 })).toEqual({ kind: "exponential", baseSeconds: 10, maxAttempts: 3, maxDelaySeconds: 21_600, retryOn4xx: false });
    expect(parseRetryPolicy({ kind: "schedule", delaysSeconds: [0, 8 * 24 * 3600] })).toEqual(DEFAULT_RETRY_POLICY);
  });
});
