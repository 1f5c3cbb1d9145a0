import { describe, expect, it } from "vitest";
import { TokenBucketLimiter } from "./rate-limit";

describe("TokenBucketLimiter", () => {
  it("allows a burst of the limit, then refuses with the seconds until a token is back", () => {
    const limiter = new TokenBucketLimiter(60); // one per second
    const t0 = 1_000_000;
    for (let i = 0; i < 60; i++) expect(limiter.take("k", t0).allowed).toBe(true);
    const refused = limiter.take("k", t0);
    expect(refused).toEqual({ allowed: false, limit: 60, remaining: 0, retryAfterSeconds: 1 });
    expect(limiter.take("k", t0 + 400).allowed).toBe(false);
    expect(limiter.take("k", t0 + 1000).allowed).toBe(true);
    expect(limiter.take("k", t0 + 1000).allowed).toBe(false);
  });

  it("keeps one bucket per key", () => {
    const limiter = new TokenBucketLimiter(2);
    expect(limiter.take("a", 0).allowed).toBe(true);
    expect(limiter.take("a", 0).allowed).toBe(true);
    expect(limiter.take("a", 0)).toMatchObject({ allowed: false, retryAfterSeconds: 30 });
    expect(limiter.take("b", 0).allowed).toBe(true);
  });

  it("refills no further than its capacity, and forgets full buckets when pruned", () => {
    const limiter = new TokenBucketLimiter(6, 3);
    for (let i = 0; i < 3; i++) limiter.take("k", 0);
    expect(limiter.take("k", 0).allowed).toBe(false);
    const later = 3_600_000;
    expect(limiter.take("k", later)).toMatchObject({ allowed: true, remaining: 2 });
    limiter.take("k", later);
    limiter.take("k", later);
    expect(limiter.take("k", later).allowed).toBe(false);
    limiter.prune(later);
    expect(limiter.size).toBe(1);
    limiter.prune(later + 60_000);
    expect(limiter.size).toBe(0);
  });

  it("0 turns limiting off", () => {
    const limiter = new TokenBucketLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take("k", 0).allowed).toBe(true);
  });
});
