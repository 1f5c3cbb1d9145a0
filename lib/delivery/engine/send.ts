import type { Sql } from "@/lib/db/sql";
import { signatureHeaders } from "@/lib/signing/signature";
import { signingSecretsAt } from "@/lib/signing/organization-keys";
import { secretsThatSign } from "@/lib/signing/which-secrets";
import { decryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { ruleFromRow, type Rule } from "@/lib/domain/rule";
import { attemptDelivery } from "./attempt";
import type { Claimed } from "./claim";
import type { TokenCache } from "../transport/auth";
import type { GuardedHttpClient } from "../transport/http-client";
import { ruleSecretValues, secretScrubber } from "../transport/secrets";
import { deferred, internalError, sent, skipped, switchedOffReason, undecryptable, type Decision } from "../policy/outcome";

// Sending one claimed delivery and deciding what to record for it. Never rejects for a reason of
// the delivery's own (a bug of ours while sending becomes an attempt with no response); only a
// database error reading the organization's keys rejects (its lease lets it be claimed again).

export interface SendContext {
  sql: Sql;
  client: GuardedHttpClient;
  tokenCache?: TokenCache;
  now: () => Date;
  random?: () => number;
}

/** A cache for one claim: `make` runs once per key (one that throws caches nothing). */
function perClaim<V>(): (key: string, make: () => V) => V {
  const values = new Map<string, V>();
  return (key, make) => {
    if (!values.has(key)) values.set(key, make());
    return values.get(key)!;
  };
}

/**
 * A sender for the deliveries of one claim: credentials, secrets and the organizations' keys are
 * decrypted once per rule (or organization) per claim; decrypted values are never kept beyond it
 * (the organizations' encrypted keys are cached by their configVersion).
 */
export function senderForClaim(ctx: SendContext): (d: Claimed) => Promise<Decision> {
  const { sql, client, now } = ctx;
  const authOf = perClaim<AuthConfig>();
  const secretsOf = perClaim<Promise<string[]>>();
  const orgSecretsOf = perClaim<Promise<string[]>>();
  const partsOf = perClaim<Pick<Rule, "retryPolicy" | "responseRules" | "timeWindow">>();

  return async (d) => {
    if (d.limited) return d.limited; // a cap or the rate limit (limits.ts)
    const off = switchedOffReason(d);
    if (off) return skipped(d, off, now());
    let auth: AuthConfig;
    let signing: Promise<string[]>;
    try {
      auth = authOf(d.ruleId, () => decryptAuthConfig(d.authType, d.authConfigEncrypted));
      signing = secretsOf(d.ruleId, () => secretsThatSign(d, now(), () => orgSecretsOf(d.organizationId, () => signingSecretsAt(sql, d.organizationId, d.configVersion, now()))));
    } catch {
      return undecryptable(d, now());
    }
    // The organization's keys are awaited outside that catch: a database error there is not a
    // reason to fail the delivery (its lease lets it be claimed again).
    const secrets = await signing;
    const startedAt = now();
    const headers = { ...d.requestHeaders, ...signatureHeaders(d.signatureScheme, { id: d.id, body: d.requestBody, secrets, now: startedAt }) };
    const { retryPolicy, responseRules, timeWindow } = partsOf(d.ruleId, () => ruleFromRow({ retryPolicy: d.retryPolicy, responseRules: d.responseRules, timeWindow: d.timeWindow }));
    try {
      const result = await attemptDelivery(
        {
          deliveryId: d.id, ruleId: d.ruleId, url: d.url, method: d.method, headers, body: d.requestBody, timeoutMs: d.timeoutMs, attemptsMade: d.attemptCount,
          auth, responseRules, retryPolicy, timeWindow, signingSecrets: secrets,
        },
        { client, tokenCache: ctx.tokenCache, now, random: ctx.random },
      );
      return result.kind === "deferred" ? deferred(d, result.until) : sent(d, result, { startedAt, now: now() });
    } catch (err) {
      // A bug of ours for one delivery must not lose the others' outcomes (they would be re-sent
      // when their leases expire, forever). The message is scrubbed of the rule's credentials
      // before it is stored or logged.
      const detail = secretScrubber(ruleSecretValues({ auth, signingSecrets: secrets }))(err instanceof Error ? err.message : String(err));
      console.error(`dispatcher: delivery ${d.id}:`, detail);
      return internalError(d, { detail, startedAt, now: now(), sentHeaders: headers, retryPolicy, random: ctx.random });
    }
  };
}
