import { createHash } from "node:crypto";

// OAuth 2.0 access tokens, kept in memory per rule until shortly before they expire. Concurrent
// deliveries for one rule share a single token request (single-flight) instead of each asking
// the token endpoint at once. The key includes a hash of the rule's configuration, so editing
// the Token URL, client or secret takes effect on the next delivery.

/** How long a token is assumed to live when the endpoint gives no expires_in. */
export const DEFAULT_LIFETIME_S = 300;
/** Tokens are dropped this long before they expire (or 10% of their lifetime if less). */
export const SAFETY_MARGIN_S = 30;

export interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token is not used. */
  expiresAt: number;
}

export interface IssuedToken {
  accessToken: string;
  /** The endpoint's expires_in, in seconds. */
  expiresIn?: number;
}

export type TokenOutcome<E> = { ok: true; token: CachedToken; fromCache: boolean } | { ok: false; error: E };

/** When a token issued at `issuedAt` stops being used. */
export function tokenExpiry(issuedAt: number, expiresIn: number | undefined): number {
  const lifetime = expiresIn !== undefined && Number.isFinite(expiresIn) && expiresIn >= 0 ? expiresIn : DEFAULT_LIFETIME_S;
  const margin = Math.min(SAFETY_MARGIN_S, lifetime * 0.1);
  return issuedAt + Math.round((lifetime - margin) * 1000);
}

/** The cache key of a rule's token: its id plus a hash of its whole auth configuration. */
export function tokenCacheKey(cacheKey: string, config: object): string {
  const stable = JSON.stringify(config, Object.keys(config).sort());
  return `${cacheKey}:${createHash("sha256").update(stable).digest("base64url")}`;
}

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<{ ok: true; token: CachedToken } | { ok: false; error: unknown }>>();

  constructor(private readonly maxEntries = 1000) {}

  /**
   * The cached token for `key` while it is valid; otherwise one from `issue`, which runs once for
   * all callers waiting on the same key. A failure is returned to every waiter and not cached.
   */
  async get<E>(key: string, issue: () => Promise<{ ok: true; token: IssuedToken } | { ok: false; error: E }>, now: () => number = Date.now): Promise<TokenOutcome<E>> {
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > now()) return { ok: true, token: cached, fromCache: true };
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = issue()
        .then((r) => {
          if (!r.ok) return r;
          const token = { accessToken: r.token.accessToken, expiresAt: tokenExpiry(now(), r.token.expiresIn) };
          this.store(key, token, now());
          return { ok: true as const, token };
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const r = await pending;
    return r.ok ? { ok: true, token: r.token, fromCache: false } : { ok: false, error: r.error as E };
  }

  /**
   * Drops the token for `key`, but only if it is still `accessToken`: when several deliveries get
   * a 401 with the same old token, the first one's fresh token is not thrown away by the others.
   */
  invalidate(key: string, accessToken?: string): void {
    const cached = this.tokens.get(key);
    if (cached && (accessToken === undefined || cached.accessToken === accessToken)) this.tokens.delete(key);
  }

  get size(): number {
    return this.tokens.size;
  }

  private store(key: string, token: CachedToken, now: number) {
    // A token that expires at once (expires_in 0) is used for this request only.
    if (token.expiresAt <= now) return;
    this.tokens.delete(key); // re-insert at the end: Map order is then oldest first
    this.tokens.set(key, token);
    if (this.tokens.size <= this.maxEntries) return;
    for (const [k, t] of this.tokens) if (t.expiresAt <= now) this.tokens.delete(k);
    while (this.tokens.size > this.maxEntries) this.tokens.delete(this.tokens.keys().next().value!);
  }
}

/** The process's cache, shared by the dispatcher's deliveries. */
export const defaultTokenCache = new TokenCache();
