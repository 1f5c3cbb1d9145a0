import { apiRateLimitSetting } from "@/lib/core/env";

// Rate limiting for the REST API, per API key: a token bucket kept in this process's memory. The
// bucket holds a minute's worth of requests (so a client may burst up to the limit) and refills
// continuously at limit/60 per second. Several app processes each keep their own buckets; the
// limit is a guard against runaway clients, not a billing meter.

export interface RateLimitVerdict {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until one request is allowed again (0 when allowed). */
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly refillPerMs: number;

  constructor(
    readonly perMinute: number,
    readonly capacity = perMinute,
  ) {
    this.refillPerMs = perMinute / 60_000;
  }

  /** Takes one token from `key`'s bucket if it has one. */
  take(key: string, now = Date.now()): RateLimitVerdict {
    if (this.perMinute <= 0) return { allowed: true, limit: 0, remaining: 0, retryAfterSeconds: 0 };
    const bucket = this.buckets.get(key) ?? { tokens: this.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAt) * this.refillPerMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, limit: this.perMinute, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    const waitMs = (1 - bucket.tokens) / this.refillPerMs;
    return { allowed: false, limit: this.perMinute, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Drops buckets that have refilled completely: they hold nothing a new bucket would not. */
  prune(now = Date.now()): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (now - b.updatedAt) * this.refillPerMs >= this.capacity) this.buckets.delete(key);
    }
  }

  get size(): number {
    return this.buckets.size;
  }
}

const slot = Symbol.for("leadhooks.apiRateLimiter");
const pruner = Symbol.for("leadhooks.apiRateLimiter.pruner");
type G = typeof globalThis & { [slot]?: TokenBucketLimiter; [pruner]?: NodeJS.Timeout };

function configuredLimit(): number {
  const parsed = apiRateLimitSetting.safeParse(process.env.API_RATE_LIMIT?.trim() || undefined);
  if (!parsed.success) throw new Error(`Invalid environment configuration:\n  API_RATE_LIMIT: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The process's limiter (one per process, kept across hot reloads like the dispatcher). */
export function apiRateLimiter(): TokenBucketLimiter {
  const g = globalThis as G;
  g[slot] ??= new TokenBucketLimiter(configuredLimit());
  // Idle keys' full buckets are forgotten every few minutes so the map cannot grow without bound.
  g[pruner] ??= setInterval(() => g[slot]?.prune(), 5 * 60_000).unref();
  return g[slot];
}

/** Forgets every bucket and re-reads API_RATE_LIMIT (tests change it). */
export function resetApiRateLimiter(): void {
  const g = globalThis as G;
  g[slot] = new TokenBucketLimiter(configuredLimit());
}
