import { randomUUID } from "node:crypto";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/core/ids";
import { getSigningKeys } from "@/lib/signing/organization-keys";
import { decryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { kickNotifications } from "@/lib/notifications/send";
import { recordRuleHealth, type RuleHealthInput } from "@/lib/health/rule-health";
import { ruleSigningSecrets } from "@/lib/signing/rule-secrets";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { storedTimeWindowSchema } from "@/lib/domain/rule/request";
import { storedResponseRulesSchema } from "@/lib/domain/rule/response";
import { attemptDelivery, type AttemptResult } from "./attempt";
import type { TokenCache } from "../transport/auth";
import type { GuardedHttpClient } from "../transport/http-client";
import { limiter } from "@/lib/core/limiter";
import { redactHeaders } from "../transport/redact";
import { ruleSecretValues, secretScrubber } from "../transport/secrets";
import { NO_RESPONSE_STATUS, nextDelayMs } from "../policy/retry";
import { parseRetryPolicy } from "@/lib/domain/rule/retry";
import { hmacHexHeaders, standardWebhookHeaders } from "@/lib/signing/signature";
import { storableJson, storableText } from "@/lib/core/storable";

// The dispatcher: claims due deliveries under a lease (FOR UPDATE SKIP LOCKED, so several
// processes on one PostgreSQL never claim the same row), sends them concurrently through the
// guarded client, then records every attempt and every outcome in two batched statements.
// A process that dies holding a lease loses it when the lease expires; the delivery is then
// claimed again (at-least-once; the stable webhook-id lets receivers deduplicate).

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

export interface DispatchSummary {
  claimed: number;
  succeeded: number;
  retrying: number;
  failed: number;
  skipped: number;
  /** Not sent because the rule's sending window is closed; rescheduled for when it opens. */
  deferred: number;
}

interface Claimed {
  id: string;
  organizationId: string;
  ruleId: string;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  requestBody: string;
  attemptCount: number;
  signatureScheme: "STANDARD" | "HMAC_HEX";
  timeoutMs: number;
  retryPolicy: unknown;
  authType: string;
  authConfigEncrypted: string | null;
  responseRules: unknown;
  timeWindow: unknown;
  signingSecretEncrypted: string | null;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
  consecutiveFailures: number;
  ruleEnabled: boolean;
  webhooksEnabled: boolean;
}

const iso = (d: Date) => d.toISOString();

// PostgreSQL text and jsonb cannot hold NUL, and jsonb refuses a lone surrogate (a receiver's JSON
// can hold "\ud800", and a value cut at the parser's limit can split an emoji): a receiver that
// answers with one must not make the whole batch's bookkeeping fail (and its deliveries be re-sent
// forever). Everything recorded from the other side goes through clean / storableJson.
const clean = storableText;
const cleanHeaders = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [clean(k), clean(v)]));

export async function claimDue(prisma: PrismaClient, owner: string, now: Date, leaseMs: number, limit: number): Promise<Claimed[]> {
  return prisma.$queryRawUnsafe<Claimed[]>(
    `WITH due AS (
       SELECT id FROM "Delivery"
       WHERE state = 'PENDING' AND "nextAttemptAt" <= $2::timestamptz AT TIME ZONE 'UTC'
         AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < $2::timestamptz AT TIME ZONE 'UTC')
       ORDER BY "nextAttemptAt"
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     UPDATE "Delivery" d
     SET "leaseOwner" = $1, "leaseExpiresAt" = $3::timestamptz AT TIME ZONE 'UTC'
     FROM due, "WebhookRule" r, "Organization" o
     WHERE d.id = due.id AND r.id = d."ruleId" AND o.id = d."organizationId"
     RETURNING d.id, d."organizationId", d."ruleId", d.url, d.method, d."requestHeaders", d."requestBody", d."attemptCount",
               r."signatureScheme"::text AS "signatureScheme", r."timeoutMs", r."retryPolicy", r.enabled AS "ruleEnabled",
               r."authType"::text AS "authType", r."authConfigEncrypted", r."responseRules", r."timeWindow",
               r."signingSecretEncrypted", r."previousSecretEncrypted", r."previousSecretExpiresAt", r."consecutiveFailures",
               o."webhooksEnabled"`,
    owner,
    iso(now),
    iso(new Date(now.getTime() + leaseMs)),
    limit,
  );
}

interface Outcome {
  id: string;
  state: "PENDING" | "SUCCEEDED" | "FAILED" | "SKIPPED";
  attemptCount: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  responseValues: Record<string, string> | null;
  completedAt: string | null;
}

/** Claims and sends one batch; returns what happened. */
export async function dispatchBatch(opts: DispatchOptions): Promise<DispatchSummary> {
  const { prisma, client } = opts;
  const owner = opts.owner ?? `dispatcher-${randomUUID()}`;
  const now = opts.now ?? (() => new Date());
  const claimed = await claimDue(prisma, owner, now(), opts.leaseMs ?? 60_000, opts.batchSize ?? 200);
  const summary: DispatchSummary = { claimed: claimed.length, succeeded: 0, retrying: 0, failed: 0, skipped: 0, deferred: 0 };
  if (!claimed.length) return summary;

  // A rule with its own secret (created through the API) signs with it; the others with the
  // organization's keys. Both are read once per batch.
  const keysByOrg = new Map<string, Promise<string[]>>();
  const orgSecrets = (orgId: string) => {
    if (!keysByOrg.has(orgId)) keysByOrg.set(orgId, getSigningKeys(prisma, orgId).then((k) => [k.current.secret, ...k.previous.map((p) => p.secret)]));
    return keysByOrg.get(orgId)!;
  };
  const ruleSecrets = new Map<string, string[] | null>();
  const ownSecretsFor = (d: Claimed): string[] | null => {
    if (!ruleSecrets.has(d.ruleId)) ruleSecrets.set(d.ruleId, ruleSigningSecrets(d, now()));
    return ruleSecrets.get(d.ruleId) ?? null;
  };
  // Decrypted once per rule per batch; never kept beyond it.
  const authByRule = new Map<string, AuthConfig>();
  const authFor = (d: Claimed) => {
    if (!authByRule.has(d.ruleId)) authByRule.set(d.ruleId, decryptAuthConfig(d.authType as AuthConfig["type"], d.authConfigEncrypted));
    return authByRule.get(d.ruleId)!;
  };
  const overall = limiter(opts.concurrency ?? 64);
  const perRule = new Map<string, ReturnType<typeof limiter>>();
  const ruleLimit = (ruleId: string) => {
    if (!perRule.has(ruleId)) perRule.set(ruleId, limiter(opts.perRuleConcurrency ?? 16));
    return perRule.get(ruleId)!;
  };

  const outcomes: Outcome[] = [];
  const attempts: Prisma.DeliveryAttemptCreateManyInput[] = [];
  const goneRules = new Set<string>();
  const health: RuleHealthInput[] = [];
  const healthOf = (d: Claimed, outcome: RuleHealthInput["outcome"], statusCode: number | null, errorClass: string | null, error: string | null) =>
    health.push({ deliveryId: d.id, ruleId: d.ruleId, organizationId: d.organizationId, outcome, statusCode, errorClass, error, at: now(), ruleConsecutiveFailures: d.consecutiveFailures });

  await Promise.all(
    claimed.map((d) =>
      ruleLimit(d.ruleId)(() =>
        overall(async () => {
          if (!d.ruleEnabled || !d.webhooksEnabled) {
            const reason = !d.webhooksEnabled ? "Webhooks are disabled for the organization" : "The rule is disabled";
            outcomes.push({ id: d.id, state: "SKIPPED", attemptCount: d.attemptCount, nextAttemptAt: null, lastStatusCode: null, lastError: reason, responseValues: null, completedAt: iso(now()) });
            summary.skipped++;
            return;
          }
          let auth: AuthConfig;
          let own: string[] | null;
          try {
            auth = authFor(d);
            own = ownSecretsFor(d);
          } catch {
            // Unreadable credentials or secret (APP_SECRET_KEY changed?) cannot get better by retrying.
            const message = "The rule's credentials or signing secret cannot be decrypted: enter the credentials again on the Authentication tab";
            outcomes.push({ id: d.id, state: "FAILED", attemptCount: d.attemptCount, nextAttemptAt: null, lastStatusCode: null, lastError: message, responseValues: null, completedAt: iso(now()) });
            healthOf(d, "FAILED", null, null, message);
            summary.failed++;
            return;
          }
          // The organization's keys are read outside that catch: a database error there is not a
          // reason to fail the delivery (the batch fails and its leases let it be claimed again).
          const secrets = own ?? (await orgSecrets(d.organizationId));
          const startedAt = now();
          const signed =
            d.signatureScheme === "HMAC_HEX"
              ? hmacHexHeaders({ id: d.id, body: d.requestBody, secrets, now: startedAt })
              : standardWebhookHeaders({ id: d.id, body: d.requestBody, secrets, now: startedAt });
          const retryPolicy = parseRetryPolicy(d.retryPolicy);
          let result: AttemptResult;
          try {
            result = await attemptDelivery(
              {
                deliveryId: d.id, ruleId: d.ruleId, url: d.url, method: d.method, headers: { ...d.requestHeaders, ...signed }, body: d.requestBody,
                timeoutMs: d.timeoutMs, attemptsMade: d.attemptCount, auth, responseRules: storedResponseRulesSchema.parse(d.responseRules),
                retryPolicy, timeWindow: storedTimeWindowSchema.parse(d.timeWindow), signingSecrets: secrets,
              },
              { client, tokenCache: opts.tokenCache, now, random: opts.random },
            );
          } catch (err) {
            // A bug of ours for one delivery must not reject the whole batch: every other
            // delivery's outcome would be lost and re-sent when its lease expires, forever. It
            // counts as an attempt with no response (the retry policy decides what comes next);
            // the message is scrubbed of the rule's credentials before it is stored or logged.
            const detail = secretScrubber(ruleSecretValues({ auth, signingSecrets: secrets }))(err instanceof Error ? err.message : String(err));
            console.error(`dispatcher: delivery ${d.id}:`, detail);
            const message = `Internal error while sending: ${detail}`;
            const number = d.attemptCount + 1;
            const delay = nextDelayMs(retryPolicy, number, null, opts.random);
            const state = delay === null ? "FAILED" : "PENDING";
            attempts.push({
              id: newId("att"), deliveryId: d.id, number, startedAt, durationMs: now().getTime() - startedAt.getTime(), requestUrl: clean(d.url),
              requestMethod: d.method, requestHeaders: cleanHeaders(redactHeaders({ ...d.requestHeaders, ...signed })), statusCode: NO_RESPONSE_STATUS,
              responseHeaders: {}, responseBody: "", bodyTruncated: false, errorClass: "network", errorMessage: clean(message),
            });
            healthOf(d, state === "PENDING" ? "RETRYING" : "FAILED", NO_RESPONSE_STATUS, "network", clean(message));
            outcomes.push({
              id: d.id, state, attemptCount: number, nextAttemptAt: delay === null ? null : iso(new Date(now().getTime() + delay)),
              lastStatusCode: NO_RESPONSE_STATUS, lastError: clean(message), responseValues: null, completedAt: delay === null ? iso(now()) : null,
            });
            if (state === "FAILED") summary.failed++;
            else summary.retrying++;
            return;
          }
          if (result.kind === "deferred") {
            outcomes.push({ id: d.id, state: "PENDING", attemptCount: d.attemptCount, nextAttemptAt: iso(result.until), lastStatusCode: null, lastError: "Waiting for the rule's sending window", responseValues: null, completedAt: null });
            summary.deferred++;
            return;
          }
          const res = result.response;
          const number = d.attemptCount + 1;
          attempts.push({
            id: newId("att"),
            deliveryId: d.id,
            number,
            startedAt,
            durationMs: res.durationMs,
            requestUrl: clean(res.sentUrl),
            requestMethod: d.method,
            requestHeaders: cleanHeaders(res.sentHeaders),
            statusCode: res.status,
            responseHeaders: cleanHeaders(res.headers),
            responseBody: clean(res.body),
            bodyTruncated: res.bodyTruncated,
            errorClass: res.error?.class ?? null,
            // Why the attempt failed even when a response came (a body check, a status outside the rule's list).
            errorMessage: res.error ? clean(res.error.message) : result.state !== "SUCCEEDED" && result.lastError ? clean(result.lastError) : null,
            parsedError: result.parsedError ? storableJson(result.parsedError) : undefined,
          });
          if (result.gone) goneRules.add(d.ruleId);
          const outcome = result.state === "PENDING" ? "RETRYING" : res.error?.class === "config" ? "CONFIG_ERROR" : result.state;
          healthOf(d, outcome, res.status, res.error?.class ?? null, result.lastError ? clean(result.lastError) : null);
          outcomes.push({
            id: d.id, state: result.state, attemptCount: number, nextAttemptAt: result.nextAttemptAt ? iso(result.nextAttemptAt) : null,
            lastStatusCode: res.status, lastError: result.lastError ? clean(result.lastError) : null,
            responseValues: result.responseValues ? storableJson(result.responseValues) : null, completedAt: result.state === "PENDING" ? null : iso(now()),
          });
          if (result.state === "SUCCEEDED") summary.succeeded++;
          else if (result.state === "FAILED") summary.failed++;
          else summary.retrying++;
        }),
      ),
    ),
  );

  await prisma.$transaction(async (tx) => {
    if (attempts.length) await tx.deliveryAttempt.createMany({ data: attempts });
    // One statement for the whole batch; the lease owner check keeps a dispatcher whose lease
    // already expired (and was taken over) from overwriting the newer outcome.
    await tx.$executeRawUnsafe(
      `UPDATE "Delivery" d SET
         state = v.state::"DeliveryState", "attemptCount" = v."attemptCount",
         "nextAttemptAt" = v."nextAttemptAt"::timestamptz AT TIME ZONE 'UTC',
         "lastStatusCode" = v."lastStatusCode", "lastError" = v."lastError",
         "responseValues" = COALESCE(v."responseValues", d."responseValues"),
         "completedAt" = v."completedAt"::timestamptz AT TIME ZONE 'UTC',
         "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = now() AT TIME ZONE 'UTC'
       FROM jsonb_to_recordset($1::jsonb) AS v(id text, state text, "attemptCount" int, "nextAttemptAt" text, "lastStatusCode" int, "lastError" text, "responseValues" jsonb, "completedAt" text)
       WHERE d.id = v.id AND d."leaseOwner" = $2`,
      JSON.stringify(outcomes),
      owner,
    );
    if (goneRules.size) {
      await tx.webhookRule.updateMany({
        where: { id: { in: [...goneRules] }, enabled: true },
        data: { enabled: false, disabledAt: now(), disabledReason: "The endpoint answered 410 Gone" },
      });
    }
  });
  // Failure streaks, warnings, automatic disabling and error reports; then the notifications
  // go out (not awaited: email must never hold up deliveries).
  if (health.length) {
    await recordRuleHealth(prisma, health, now());
    void kickNotifications(prisma, { failures: health.some((h) => h.outcome !== "SUCCEEDED") });
  }
  return summary;
}

/** Sends batches until nothing is due or the time budget is spent. */
export async function dispatchUntilIdle(opts: DispatchOptions & { budgetMs?: number }): Promise<DispatchSummary> {
  const total: DispatchSummary = { claimed: 0, succeeded: 0, retrying: 0, failed: 0, skipped: 0, deferred: 0 };
  const deadline = Date.now() + (opts.budgetMs ?? 25_000);
  const owner = opts.owner ?? `dispatcher-${randomUUID()}`;
  while (Date.now() < deadline) {
    const s = await dispatchBatch({ ...opts, owner });
    for (const k of Object.keys(total) as (keyof DispatchSummary)[]) total[k] += s[k];
    if (s.claimed === 0) break;
  }
  return total;
}
