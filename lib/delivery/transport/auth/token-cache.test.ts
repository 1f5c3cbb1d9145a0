import { describe, expect, it } from "vitest";
import { DEFAULT_LIFETIME_S, TokenCache, tokenCacheKey, tokenExpiry } from "./token-cache";

type Issued = { ok: true; token: { accessToken: string; expiresIn?: number } } | { ok: false; error: string };

/** A token endpoint stand-in that counts requests and can be held open to test single-flight. */
function issuer(expiresIn?: number) {
  let n = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const issue = async (): Promise<Issued> => {
    n++;
    if (hold) await new Promise<void>((r) => (release = r));
    return { ok: true, token: { accessToken: `token-${n}`, expiresIn } };
  };
  return {
    issue,
    count: () => n,
    hold: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe("token expiry", () => {
  it("keeps a token until expires_in minus 30 s, or minus 10% of a short lifetime", () => {
    expect(tokenExpiry(0, 3600)).toBe(3_570_000);
    expect(tokenExpiry(0, 100)).toBe(90_000);
    expect(tokenExpiry(1000, 1)).toBe(1900);
  });

  it("assumes 5 minutes when the endpoint gives no expires_in", () => {
    expect(DEFAULT_LIFETIME_S).toBe(300);
    expect(tokenExpiry(0, undefined)).toBe(270_000);
  });
});

describe("token cache", () => {
  it("reuses a token until shortly before it expires, then asks again", async () => {
    let clock = 1_000_000;
    const now = () => clock;
    const cache = new TokenCache();
    const t = issuer(3600);
    expect(await cache.get("rule", t.issue, now)).toMatchObject({ ok: true, token: { accessToken: "token-1" }, fromCache: false });
    clock += 3_569_000;
    expect(await cache.get("rule", t.issue, now)).toMatchObject({ ok: true, token: { accessToken: "token-1" }, fromCache: true });
    expect(t.count()).toBe(1);
    clock += 1_000; // 30 s before expiry: no longer used
    expect(await cache.get("rule", t.issue, now)).toMatchObject({ ok: true, token: { accessToken: "token-2" }, fromCache: false });
    expect(t.count()).toBe(2);
  });

  it("sends one token request for concurrent callers of the same key (single-flight)", async () => {
    const cache = new TokenCache();
    const t = issuer(60);
    t.hold();
    const waiting = Promise.all(Array.from({ length: 5 }, () => cache.get("rule", t.issue)));
    await new Promise((r) => setTimeout(r, 10));
    t.release();
    const results = await waiting;
    expect(t.count()).toBe(1);
    expect(new Set(results.map((r) => r.ok && r.token.accessToken))).toEqual(new Set(["token-1"]));
    // Other keys are independent.
    await cache.get("other-rule", t.issue);
    expect(t.count()).toBe(2);
  });

  it("returns a failure to every waiter and caches nothing, so the next call asks again", async () => {
    const cache = new TokenCache();
    let calls = 0;
    const failing = async (): Promise<Issued> => (calls++, { ok: false, error: "invalid_client" });
    const [a, b] = await Promise.all([cache.get("rule", failing), cache.get("rule", failing)]);
    expect(a).toEqual({ ok: false, error: "invalid_client" });
    expect(b).toEqual({ ok: false, error: "invalid_client" });
    expect(calls).toBe(1);
    await cache.get("rule", failing);
    expect(calls).toBe(2);
    expect(cache.size).toBe(0);
  });

  it("invalidates only the token that was rejected, not a newer one", async () => {
    const cache = new TokenCache();
    const t = issuer(3600);
    await cache.get("rule", t.issue);
    cache.invalidate("rule", "token-1");
    expect(await cache.get("rule", t.issue)).toMatchObject({ token: { accessToken: "token-2" }, fromCache: false });
    cache.invalidate("rule", "token-1"); // a late 401 for the old token
    expect(await cache.get("rule", t.issue)).toMatchObject({ token: { accessToken: "token-2" }, fromCache: true });
  });

  it("does not keep a token that expires at once, and stays within its size", async () => {
    const cache = new TokenCache(2);
    const zero = issuer(0);
    await cache.get("a", zero.issue);
    await cache.get("a", zero.issue);
    expect(zero.count()).toBe(2);
    const t = issuer(3600);
    for (const k of ["a", "b", "c"]) await cache.get(k, t.issue);
    expect(cache.size).toBe(2);
    expect(await cache.get("c", t.issue)).toMatchObject({ fromCache: true });
    expect(await cache.get("a", t.issue)).toMatchObject({ fromCache: false }); // the oldest was evicted
  });

  it("keys tokens by the whole configuration, so an edit invalidates", () => {
    const config = { type: "OAUTH2", tokenUrl: "https://a/token", clientId: "c", clientSecret: "s1" };
    const key = tokenCacheKey("rule_1", config);
    expect(tokenCacheKey("rule_1", { ...config })).toBe(key);
    expect(tokenCacheKey("rule_1", { clientSecret: "s1", clientId: "c", tokenUrl: "https://a/token", type: "OAUTH2" })).toBe(key);
    expect(tokenCacheKey("rule_1", { ...config, clientSecret: "s2" })).not.toBe(key);
    expect(tokenCacheKey("rule_2", config)).not.toBe(key);
    expect(key).not.toContain("s1");
  });
});
