import { randomUUID } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { limiter } from "@/lib/core/limiter";
import { signatureHeaders } from "@/lib/signing/signature";
import { organizationSigningSecrets, secretsThatSign } from "@/lib/signing/which-secrets";
import { decryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { ruleFromRow } from "@/lib/domain/rule";
import { attemptDelivery } from "./attempt";
import { claimDue, type Claimed } from "./claim";
import { recordBatch } from "./record";
import { addSummary, emitReport, emptySummary, type DispatchSummary } from "./report";
import type { TokenCache } from "../transport/auth";
import type { GuardedHttpClient } from "../transport/http-client";
import { ruleSecretValues, secretScrubber } from "../transport/secrets";
import { deferred, internalError, sent, skipped, switchedOffReason, undecryptable, type Decision } from "../policy/outcome";

// The dispatcher: claims due deliveries under a lease, sends them concurrently through the guarded
// client, records every attempt and every outcome in one transaction, then reports the batch.
// A process that dies holding a lease loses it when the lease expires; the delivery is then
// claimed again (at-least-once; the stable webhook-id lets receivers deduplicate).

export type { DispatchSummary } from "./report";

export interface DispatchOptions {
  prisma: PrismaClient;
  client: GuardedHttpClient;
  /** OAuth 2.0 access tokens, kept across batches (one cache per process). */
  tokenCache?: TokenCache;
  /** Identifies this dispatcher in leases. */
  owner?: string;
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  perRuleConcurrency?: number;
  now?: () => Date;
  random?: () => number;
}

/** A cache for one batch: `make` runs once per key (one that throws caches nothing). */
function perBatch<V>(): (key: string, make: () => V) => V {
  const values = new Map<string, V>();
  return (key, make) => {
    if (!values.has(key)) values.set(key, make());
    return values.get(key)!;
  };
}

/** Claims and sends one batch; returns what happened. */
export async function dispatchBatch(opts: DispatchOptions): Promise<DispatchSummary> {
  const { prisma, client } = opts;
  const owner = opts.owner ?? `dispatcher-${randomUUID()}`;
  const now = opts.now ?? (() => new Date());
  const claimed = await claimDue(prisma, owner, now(), opts.leaseMs ?? 60_000, opts.batchSize ?? 200);
  const summary = { ...emptySummary(), claimed: claimed.length };
  if (!claimed.length) return summary;

  // Credentials, secrets and the organizations' keys are read once per rule (or organization) per
  // batch; decrypted values are never kept beyond it.
  const authOf = perBatch<AuthConfig>();
  const secretsOf = perBatch<Promise<string[]>>();
  const orgSecretsOf = perBatch<Promise<string[]>>();
  const ruleLimit = perBatch<ReturnType<typeof limiter>>();
  const overall = limiter(opts.concurrency ?? 64);

  const decide = async (d: Claimed): Promise<Decision> => {
    const off = switchedOffReason(d);
    if (off) return skipped(d, off, now());
    let auth: AuthConfig;
    let signing: Promise<string[]>;
    try {
      auth = authOf(d.ruleId, () => decryptAuthConfig(d.authType, d.authConfigEncrypted));
      signing = secretsOf(d.ruleId, () => secretsThatSign(d, now(), () => orgSecretsOf(d.organizationId, () => organizationSigningSecrets(prisma, d.organizationId))));
    } catch {
      return undecryptable(d, now());
    }
    // The organization's keys are awaited outside that catch: a database error there is not a
    // reason to fail the delivery (the batch fails and its leases let it be claimed again).
    const secrets = await signing;
    const startedAt = now();
    const headers = { ...d.requestHeaders, ...signatureHeaders(d.signatureScheme, { id: d.id, body: d.requestBody, secrets, now: startedAt }) };
    const { retryPolicy, responseRules, timeWindow } = ruleFromRow({ retryPolicy: d.retryPolicy, responseRules: d.responseRules, timeWindow: d.timeWindow });
    try {
      const result = await attemptDelivery(
        {
          deliveryId: d.id, ruleId: d.ruleId, url: d.url, method: d.method, headers, body: d.requestBody, timeoutMs: d.timeoutMs, attemptsMade: d.attemptCount,
          auth, responseRules, retryPolicy, timeWindow, signingSecrets: secrets,
        },
        { client, tokenCache: opts.tokenCache, now, random: opts.random },
      );
      return result.kind === "deferred" ? deferred(d, result.until) : sent(d, result, { startedAt, now: now() });
    } catch (err) {
      // A bug of ours for one delivery must not reject the whole batch: every other delivery's
      // outcome would be lost and re-sent when its lease expires, forever. The message is scrubbed
      // of the rule's credentials before it is stored or logged.
      const detail = secretScrubber(ruleSecretValues({ auth, signingSecrets: secrets }))(err instanceof Error ? err.message : String(err));
      console.error(`dispatcher: delivery ${d.id}:`, detail);
      return internalError(d, { detail, startedAt, now: now(), sentHeaders: headers, retryPolicy, random: opts.random });
    }
  };

  const decisions: Decision[] = [];
  await Promise.all(
    claimed.map((d) =>
      ruleLimit(d.ruleId, () => limiter(opts.perRuleConcurrency ?? 16))(() =>
        overall(async () => {
          const decision = await decide(d);
          decisions.push(decision);
          summary[decision.tally]++;
        }),
      ),
    ),
  );
  await recordBatch(prisma, owner, decisions, now());
  await emitReport(prisma, { summary, health: decisions.flatMap((d) => (d.health ? [d.health] : [])), at: now() });
  return summary;
}

/** Sends batches until nothing is due, the time budget is spent, or `stopping()` says to stop claiming. */
export async function dispatchUntilIdle(opts: DispatchOptions & { budgetMs?: number; stopping?: () => boolean }): Promise<DispatchSummary> {
  const total = emptySummary();
  const deadline = Date.now() + (opts.budgetMs ?? 25_000);
  const owner = opts.owner ?? `dispatcher-${randomUUID()}`;
  while (Date.now() < deadline && !opts.stopping?.()) {
    const batch = await dispatchBatch({ ...opts, owner });
    addSummary(total, batch);
    if (batch.claimed === 0) break;
  }
  return total;
}
