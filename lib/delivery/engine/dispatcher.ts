import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { database } from "@/lib/db";
import type { Sql } from "@/lib/db/sql";
import type { TokenCache } from "../transport/auth";
import type { GuardedHttpClient } from "../transport/http-client";
import type { Breakers } from "./breaker";
import { runPipeline, type PipelineOptions } from "./pipeline";
import type { DispatchSummary } from "./report";

// The dispatcher: claims due deliveries under a lease, sends them concurrently through the guarded
// client (the pipeline, with limits per rule and per destination host), records every attempt and
// outcome in small groups soon after each request ends, and reports each group.
// A process that dies holding a lease loses it when the lease expires; the delivery is then
// claimed again (at-least-once; the stable webhook-id lets receivers deduplicate).

export type { DispatchSummary } from "./report";

export interface DispatchOptions {
  /** For the report's consumer (rule health). */
  prisma: PrismaClient;
  /** Claiming and recording (default: the process database's). */
  sql?: Sql;
  client: GuardedHttpClient;
  /** OAuth 2.0 access tokens, kept across claims (one cache per process). */
  tokenCache?: TokenCache;
  /** Identifies this dispatcher in leases. */
  owner?: string;
  leaseMs?: number;
  /** At most this many deliveries per claim. */
  batchSize?: number;
  /** Requests in flight at once, in all. */
  concurrency?: number;
  /** Requests in flight at once to one rule. */
  perRuleConcurrency?: number;
  /** Requests in flight at once to one destination host. */
  perHostConcurrency?: number;
  /** The process's circuit breakers per rule (a fresh set per call when not given). */
  breakers?: Breakers;
  now?: () => Date;
  random?: () => number;
  /** Told when a delivery left waiting for a batch becomes due by time (ms since the epoch). */
  batchDueAt?: (at: number) => void;
}

async function pipelineOptions(opts: DispatchOptions) {
  return {
    ...opts,
    sql: opts.sql ?? (await database()).sql,
    owner: opts.owner ?? `dispatcher-${randomUUID()}`,
    now: opts.now ?? (() => new Date()),
    leaseMs: opts.leaseMs ?? 60_000,
    claimSize: opts.batchSize ?? 200,
    limits: { total: opts.concurrency ?? 64, perRule: opts.perRuleConcurrency ?? 16, perHost: opts.perHostConcurrency ?? 32 },
  };
}

/** Claims once (what can start at once, at most `batchSize`), sends and records it; returns what happened. */
export async function dispatchBatch(opts: DispatchOptions): Promise<DispatchSummary> {
  return runPipeline({ ...(await pipelineOptions(opts)), once: true });
}

/**
 * Sends until nothing is due and nothing is in flight, the time budget (if given) is spent, or
 * `stopping()` says to stop claiming; what is in flight is always finished and recorded before it
 * returns. A budget therefore ends in a wait for the slowest request in flight, during which
 * nothing is claimed: the process's own dispatcher (runtime.ts) runs without one.
 * `listen` receives a function that wakes it (deliveries became due, or stopping changed); `slots`
 * and `inbox`: the process's requests in flight and hand-offs (runtime.ts).
 */
export async function dispatchUntilIdle(
  opts: DispatchOptions & { budgetMs?: number } & Pick<PipelineOptions, "stopping" | "listen" | "slots" | "inbox" | "claimFirst">,
): Promise<DispatchSummary> {
  return runPipeline({ ...(await pipelineOptions(opts)), ...(opts.budgetMs !== undefined ? { deadline: Date.now() + opts.budgetMs } : {}) });
}
