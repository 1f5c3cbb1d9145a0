import type { AuthFailure, OutboundResponse } from "@/lib/domain/attempt";
import * as oauth from "oauth4webapi";
import { NO_RESPONSE_STATUS } from "@/lib/delivery/policy/retry";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import type { IssuedToken } from "./token-cache";
import { parseTokenResponse } from "./token-response";
import { type HttpSender, scrub } from "./types";

// Token requests with oauth4webapi (client credentials, and the password grant through its
// generic grant request). Its HTTP goes through our guarded client via `customFetch`, so the
// Token URL is held to the same SSRF rules as a webhook URL.

export type OAuth2Config = Extract<AuthConfig, { type: "OAUTH2" }>;

const BODY_EXCERPT = 1000;
const TOKEN_FIELDS = ["access_token", "refresh_token", "id_token"];

/** application/x-www-form-urlencoded, as URLSearchParams writes it ("a b-c" → "a+b-c"). */
const formEncode = (value: string) => new URLSearchParams([["", value]]).toString().slice(1);

/**
 * client_secret_basic (RFC 6749 §2.3.1): the id and secret form-encoded, then Basic. oauth4webapi's
 * own ClientSecretBasic also percent-encodes "-", "." and "_", which is equally valid but breaks
 * the many token endpoints that do not decode the pair (a client id "acme-prod" would fail);
 * this encoder leaves the characters every form encoder leaves alone.
 */
export function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  return (_as, client, _body, headers) => {
    const pair = `${formEncode(client.client_id)}:${formEncode(clientSecret)}`;
    headers.set("authorization", `Basic ${Buffer.from(pair, "utf8").toString("base64")}`);
  };
}

/** A failure of the guarded client itself (blocked address, DNS, timeout): no HTTP answer. */
class TransportError extends Error {}

/** The body of a token endpoint answer, shortened, with any token or secret in it redacted. */
function safeBody(body: string, secrets: string[]): string {
  let text = body;
  try {
    // At any depth: an answer that nests its token ({"data": {"access_token": …}}) is shown too.
    text = JSON.stringify(JSON.parse(body), (key, value: unknown) => (TOKEN_FIELDS.includes(key) ? "[redacted]" : value));
  } catch {
    // Not JSON: shown as text, a form-encoded token's value redacted.
    text = text.replace(new RegExp(`\\b(${TOKEN_FIELDS.join("|")})=[^&\\s]*`, "g"), "$1=[redacted]");
  }
  return scrub(text, secrets).slice(0, BODY_EXCERPT);
}

/** Asks the token endpoint for an access token. Never throws; a failure says what the endpoint said. */
export async function requestToken(client: HttpSender, config: OAuth2Config, timeoutMs: number): Promise<{ ok: true; token: IssuedToken } | { ok: false; error: AuthFailure }> {
  const secrets = [config.clientSecret, config.password].filter(Boolean);
  let last: OutboundResponse | undefined;
  const fail = (message: string): { ok: false; error: AuthFailure } => {
    const error: AuthFailure = { kind: "oauth_token", message: scrub(message, secrets) };
    if (last && last.status !== NO_RESPONSE_STATUS) {
      error.status = last.status;
      if (last.body) error.body = safeBody(last.body, secrets);
    } else if (last?.error) error.errorClass = last.error.class;
    return { ok: false, error };
  };

  let tokenUrl: URL;
  try {
    tokenUrl = new URL(config.tokenUrl);
  } catch {
    return fail("the Token URL is not a valid URL");
  }
  const as: oauth.AuthorizationServer = { issuer: tokenUrl.origin, token_endpoint: tokenUrl.href };
  const oauthClient: oauth.Client = { client_id: config.clientId };
  const clientAuth = config.clientAuth === "body" ? oauth.ClientSecretPost(config.clientSecret) : clientSecretBasic(config.clientSecret);
  const options: oauth.TokenEndpointRequestOptions = {
    [oauth.customFetch]: async (url, init) => {
      last = await client.send({ url, method: init.method, headers: init.headers, body: init.body.toString(), timeoutMs });
      if (last.status === NO_RESPONSE_STATUS) throw new TransportError(last.error?.message ?? "No response from the token endpoint");
      return new Response(last.status === 204 || last.status === 205 || last.status === 304 ? null : last.body, { status: last.status, headers: last.headers });
    },
    // oauth4webapi refuses http:// on its own; the guarded client's policy (ALLOW_INSECURE_URLS)
    // is the one authority on that, and refuses http:// itself when it is not allowed.
    [oauth.allowInsecureRequests]: tokenUrl.protocol === "http:",
  };
  const params = new URLSearchParams();
  if (config.scope) params.set("scope", config.scope);
  if (config.audience) params.set("audience", config.audience);

  try {
    if (config.grantType === "password") {
      params.set("username", config.username);
      params.set("password", config.password);
      await oauth.genericTokenEndpointRequest(as, oauthClient, clientAuth, "password", params, options);
    } else {
      await oauth.clientCredentialsGrantRequest(as, oauthClient, clientAuth, params, options);
    }
  } catch (err) {
    return fail(describe(err, last));
  }
  // oauth4webapi builds and sends the request; its answer is read here rather than by its strict
  // processTokenEndpointResponse, which refuses common, harmless departures from RFC 6749.
  if (!last) return fail("no response from the token endpoint");
  const parsed = parseTokenResponse(last);
  if (!parsed.ok) return fail(parsed.message);
  return { ok: true, token: parsed.expiresIn === undefined ? { accessToken: parsed.accessToken } : { accessToken: parsed.accessToken, expiresIn: parsed.expiresIn } };
}

/** Why the request itself failed: the guarded client's reason, or oauth4webapi's. */
function describe(err: unknown, last: OutboundResponse | undefined): string {
  if (err instanceof TransportError) return err.message;
  if (last && (last.status < 200 || last.status > 299)) return `the token endpoint answered ${last.status} without an OAuth error`;
  return (err as Error)?.message ?? String(err);
}
