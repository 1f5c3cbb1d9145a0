import type { AuthFailure, AuthenticatedResponse } from "@/lib/domain/attempt";
import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import { NO_RESPONSE_STATUS } from "@/lib/delivery/policy/retry";
import { type OAuth2Config, requestToken } from "./oauth2-token";
import { type TokenCache, tokenCacheKey } from "./token-cache";
import { type HttpSender, withHeader, withSent } from "./types";

/**
 * Sends with an OAuth 2.0 access token from the cache (or a new one). A 401 from the endpoint
 * while using a cached token means the server no longer accepts it (revoked, rotated keys): the
 * token is dropped, a new one fetched and the request re-sent once. A token fetched for this very
 * request is not refetched on a 401: the problem then is the endpoint's, not the token's age.
 */
export async function sendWithOAuth2(
  client: HttpSender,
  req: OutboundRequest,
  config: OAuth2Config,
  opts: { cacheKey: string; tokenCache: TokenCache; now?: () => number },
): Promise<AuthenticatedResponse> {
  const started = performance.now();
  const tokenFailure = (error: AuthFailure): AuthenticatedResponse => {
    const message = `OAuth token request failed${error.status ? ` (HTTP ${error.status})` : ""}: ${error.message}`;
    const res = { status: NO_RESPONSE_STATUS, headers: {}, body: "", bodyTruncated: false, durationMs: Math.round(performance.now() - started) };
    // No request reached the endpoint: reported like a failure with no response, class "auth".
    return withSent({ ...res, error: { class: "auth", message } }, req, { authError: error });
  };
  const key = tokenCacheKey(opts.cacheKey, config);
  const issue = () => requestToken(client, config, req.timeoutMs);
  const first = await opts.tokenCache.get<AuthFailure>(key, issue, opts.now);
  if (!first.ok) return tokenFailure(first.error);

  const sent = withHeader(req, "Authorization", `Bearer ${first.token.accessToken}`);
  const res = await client.send(sent);
  if (res.status !== 401 || !first.fromCache) return withSent(res, sent);

  opts.tokenCache.invalidate(key, first.token.accessToken);
  const second = await opts.tokenCache.get<AuthFailure>(key, issue, opts.now);
  if (!second.ok) return tokenFailure(second.error);
  const resent = withHeader(req, "Authorization", `Bearer ${second.token.accessToken}`);
  return withSent(await client.send(resent), resent);
}
