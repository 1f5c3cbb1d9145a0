import type { AuthenticatedResponse } from "@/lib/domain/attempt";
import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { NO_RESPONSE_STATUS } from "@/lib/delivery/policy/retry";
import { applyApiKey } from "./api-key";
import { authConfigProblem } from "./check";
import { basicAuthorization } from "./basic";
import { bearerAuthorization } from "./bearer";
import { sendWithDigest } from "./digest";
import { sendWithOAuth2 } from "./oauth2";
import { defaultTokenCache, type TokenCache } from "./token-cache";
import { type HttpSender, withHeader, withSent } from "./types";

// A rule's outbound authentication: one entry point for the dispatcher and Test Connection.
// Credentials are added here, at send time, never frozen into the stored request; what is
// reported as sent has them redacted.

export { defaultTokenCache, TokenCache } from "./token-cache";
export type { HttpSender } from "./types";

export interface SendAuthenticatedOptions {
  /** Identifies whose token this is (the rule id); OAuth tokens are cached per key and config. */
  cacheKey: string;
  /** Defaults to the process-wide cache. Test Connection may pass its own to always fetch. */
  tokenCache?: TokenCache;
  /** The clock for token expiry (tests). */
  now?: () => number;
}

/** Sends `req` authenticated as `auth` says. Never throws for a network or token failure. */
export async function sendAuthenticated(client: HttpSender, req: OutboundRequest, auth: AuthConfig, opts: SendAuthenticatedOptions): Promise<AuthenticatedResponse> {
  const problem = authConfigProblem(auth);
  if (problem) {
    // Nothing is sent: the same request would be refused every time.
    const res = { status: NO_RESPONSE_STATUS, headers: {}, body: "", bodyTruncated: false, durationMs: 0, error: { class: "config" as const, message: problem } };
    return withSent(res, req);
  }
  switch (auth.type) {
    case "NONE":
      return withSent(await client.send(req), req);
    case "BASIC": {
      const sent = withHeader(req, "Authorization", basicAuthorization(auth.username, auth.password));
      return withSent(await client.send(sent), sent);
    }
    case "BEARER": {
      const sent = withHeader(req, "Authorization", bearerAuthorization(auth.prefix, auth.token));
      return withSent(await client.send(sent), sent);
    }
    case "API_KEY": {
      const { req: sent, sentUrl, sensitiveHeaders } = applyApiKey(req, auth);
      return withSent(await client.send(sent), sent, { sentUrl, sensitiveHeaders });
    }
    case "DIGEST":
      return sendWithDigest(client, req, auth);
    case "OAUTH2":
      return sendWithOAuth2(client, req, auth, { cacheKey: opts.cacheKey, tokenCache: opts.tokenCache ?? defaultTokenCache, now: opts.now });
  }
}
