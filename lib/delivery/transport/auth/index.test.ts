import type { OutboundResponse } from "@/lib/domain/attempt";
import { describe, expect, it } from "vitest";
import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { sendAuthenticated, TokenCache } from "./index";

// The methods' requests as a receiver would see them, through a recording stand-in for the
// guarded client (tests/integration/auth-methods.test.ts runs them against real servers).

const reply = (status: number, body = "", headers: Record<string, string> = {}): OutboundResponse => ({ status, headers, body, bodyTruncated: false, durationMs: 1 });

function recorder(answer: (req: OutboundRequest) => OutboundResponse = () => reply(200, "ok")) {
  const sent: OutboundRequest[] = [];
  return { sent, send: async (req: OutboundRequest) => (sent.push(req), answer(req)) };
}

const base: OutboundRequest = { url: "https://api.example.com/leads?src=web&q=a%20b", method: "POST", headers: { "content-type": "application/json", authorization: "custom" }, body: "{}", timeoutMs: 1000 };
const opts = () => ({ cacheKey: "rule_1", tokenCache: new TokenCache() });

describe("static credentials", () => {
  it("Basic: replaces any custom Authorization header and redacts it in what was sent", async () => {
    const client = recorder();
    const res = await sendAuthenticated(client, base, { type: "BASIC", username: "ümlaut", password: "p:ss" }, opts());
    expect(client.sent[0]!.headers).toEqual({ "content-type": "application/json", Authorization: `Basic ${Buffer.from("ümlaut:p:ss").toString("base64")}` });
    expect(res.sentHeaders).toEqual({ "content-type": "application/json", Authorization: "[redacted]" });
    expect(res).toMatchObject({ status: 200, body: "ok", sentUrl: base.url });
  });

  it("Bearer: prefix and token, or the token alone when the prefix is blank", async () => {
    const client = recorder();
    await sendAuthenticated(client, base, { type: "BEARER", prefix: "Token", token: "t0k" }, opts());
    await sendAuthenticated(client, base, { type: "BEARER", prefix: "", token: "t0k" }, opts());
    expect(client.sent.map((r) => r.headers.Authorization)).toEqual(["Token t0k", "t0k"]);
  });

  it("API key in a header: sent under its own name, which is redacted", async () => {
    const client = recorder();
    const res = await sendAuthenticated(client, base, { type: "API_KEY", name: "X-Partner-Key", value: "k-123456", in: "header" }, opts());
    expect(client.sent[0]!.headers["X-Partner-Key"]).toBe("k-123456");
    expect(res.sentHeaders["X-Partner-Key"]).toBe("[redacted]");
    expect(JSON.stringify(res)).not.toContain("k-123456");
  });

  it("API key in the query: appended after the existing parameters, untouched; redacted in sentUrl", async () => {
    const client = recorder();
    const res = await sendAuthenticated(client, base, { type: "API_KEY", name: "api key", value: "k&1=2", in: "query" }, opts());
    expect(client.sent[0]!.url).toBe("https://api.example.com/leads?src=web&q=a%20b&api+key=k%261%3D2");
    expect(res.sentUrl).toBe("https://api.example.com/leads?src=web&q=a%20b&api+key=[redacted]");
    const plain = await sendAuthenticated(client, { ...base, url: "https://api.example.com/leads" }, { type: "API_KEY", name: "key", value: "v", in: "query" }, opts());
    expect(client.sent[1]!.url).toBe("https://api.example.com/leads?key=v");
    expect(plain.sentUrl).toBe("https://api.example.com/leads?key=[redacted]");
  });

  it("API key in the query of an invalid URL: left for the client to refuse, never thrown", async () => {
    const client = recorder(() => ({ ...reply(999), error: { class: "blocked", message: "not a valid absolute URL" } }));
    const res = await sendAuthenticated(client, { ...base, url: "not a url" }, { type: "API_KEY", name: "k", value: "v", in: "query" }, opts());
    expect(res).toMatchObject({ status: 999, sentUrl: "not a url" });
  });

  it("None: the request as it is", async () => {
    const client = recorder();
    const res = await sendAuthenticated(client, base, { type: "NONE" }, opts());
    expect(client.sent[0]).toEqual(base);
    expect(res.sentHeaders.authorization).toBe("[redacted]"); // a custom credential header is still redacted
  });
});

const oauth: Extract<AuthConfig, { type: "OAUTH2" }> = {
  type: "OAUTH2",
  tokenUrl: "https://auth.example.com/oauth/token",
  grantType: "client_credentials",
  clientId: "client-1",
  clientSecret: "client-secret-1",
  username: "",
  password: "",
  scope: "leads:write",
  audience: "https://api.example.com",
  clientAuth: "basic",
};

/** A token endpoint at auth.example.com and the API at api.example.com, answering per `tokens`. */
function oauthWorld(tokenAnswer: (n: number) => OutboundResponse, apiAnswer: (auth: string | undefined) => OutboundResponse = () => reply(200, "ok")) {
  let tokenRequests = 0;
  return recorder((req) => {
    if (req.url.startsWith("https://auth.example.com/")) return tokenAnswer(++tokenRequests);
    return apiAnswer(req.headers.Authorization);
  });
}
const tokenJson = (n: number, extra: object = {}) => reply(200, JSON.stringify({ access_token: `at-${n}`, token_type: "Bearer", expires_in: 3600, ...extra }), { "content-type": "application/json" });

describe("OAuth 2.0", () => {
  it("client credentials with a Basic client header: asks for a token with scope and audience, then sends it", async () => {
    const client = oauthWorld(tokenJson);
    const res = await sendAuthenticated(client, base, oauth, opts());
    const [tokenReq, apiReq] = client.sent;
    expect(tokenReq!.method).toBe("POST");
    expect(tokenReq!.headers.authorization).toBe(`Basic ${Buffer.from("client-1:client-secret-1").toString("base64")}`);
    expect(Object.fromEntries(new URLSearchParams(String(tokenReq!.body)))).toEqual({ grant_type: "client_credentials", scope: "leads:write", audience: "https://api.example.com" });
    expect(apiReq!.headers.Authorization).toBe("Bearer at-1");
    expect(res.status).toBe(200);
    expect(res.sentHeaders.Authorization).toBe("[redacted]");
    expect(JSON.stringify(res)).not.toMatch(/at-1|client-secret-1/);
  });

  it("form-encodes the client id and secret in the Basic header (RFC 6749 §2.3.1)", async () => {
    const client = oauthWorld(tokenJson);
    await sendAuthenticated(client, base, { ...oauth, clientId: "acme prod", clientSecret: "s:e/c%" }, opts());
    expect(client.sent[0]!.headers.authorization).toBe(`Basic ${Buffer.from("acme+prod:s%3Ae%2Fc%25").toString("base64")}`);
  });

  it("password grant with client credentials in the body", async () => {
    const client = oauthWorld(tokenJson);
    await sendAuthenticated(client, base, { ...oauth, grantType: "password", clientAuth: "body", username: "amy", password: "amy-pass", scope: "", audience: "" }, opts());
    const tokenReq = client.sent[0]!;
    expect(tokenReq.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(new URLSearchParams(String(tokenReq.body)))).toEqual({ grant_type: "password", username: "amy", password: "amy-pass", client_id: "client-1", client_secret: "client-secret-1" });
  });

  it("reuses the cached token, and on a 401 with a cached token fetches a new one once and re-sends once", async () => {
    const client = oauthWorld(tokenJson, (auth) => (auth === "Bearer at-2" ? reply(200, "ok") : reply(401, "expired")));
    const o = opts();
    // First delivery: fresh token at-1 is refused; not refetched (the token is brand new).
    expect((await sendAuthenticated(client, base, oauth, o)).status).toBe(401);
    // Second: cached at-1 → 401 → at-2 → 200.
    expect((await sendAuthenticated(client, base, oauth, o)).status).toBe(200);
    expect(client.sent.map((r) => (r.url.includes("auth.example.com") ? "token" : r.headers.Authorization))).toEqual(["token", "Bearer at-1", "Bearer at-1", "token", "Bearer at-2"]);
    // Third: at-2 from the cache.
    await sendAuthenticated(client, base, oauth, o);
    expect(client.sent.at(-1)!.headers.Authorization).toBe("Bearer at-2");
    expect(client.sent.filter((r) => r.url.includes("auth.example.com"))).toHaveLength(2);
  });

  it("reports the token endpoint's error without sending the request (status 999, class auth)", async () => {
    const client = oauthWorld(() => reply(400, JSON.stringify({ error: "invalid_scope", error_description: "Unknown scope" }), { "content-type": "application/json" }));
    const res = await sendAuthenticated(client, base, oauth, opts());
    expect(client.sent).toHaveLength(1);
    expect(res).toMatchObject({ status: 999, error: { class: "auth", message: "OAuth token request failed (HTTP 400): invalid_scope: Unknown scope" } });
    expect(res.authError).toEqual({ kind: "oauth_token", message: "invalid_scope: Unknown scope", status: 400, body: '{"error":"invalid_scope","error_description":"Unknown scope"}' });
  });

  it("reads the error of a 401 that carries a Basic challenge (invalid_client)", async () => {
    const body = JSON.stringify({ error: "invalid_client", error_description: "Client authentication failed" });
    const client = oauthWorld(() => reply(401, body, { "content-type": "application/json", "www-authenticate": 'Basic realm="Service"' }));
    const res = await sendAuthenticated(client, base, oauth, opts());
    expect(res.authError).toMatchObject({ message: "invalid_client: Client authentication failed", status: 401 });
  });

  it("never shows a token or a secret from a token answer it cannot use", async () => {
    const client = oauthWorld((n) => tokenJson(n, { token_type: "mac", refresh_token: "rt-secret" }));
    const res = await sendAuthenticated(client, base, oauth, opts());
    expect(res.authError?.message).toMatch(/token_type/);
    expect(JSON.stringify(res)).not.toMatch(/at-1|rt-secret/);
    const echo = oauthWorld(() => reply(500, "bad client-secret-1 here"));
    const res2 = await sendAuthenticated(echo, base, oauth, opts());
    expect(res2.authError).toMatchObject({ status: 500, body: "bad [redacted] here" });
  });

  it("reports the guard's refusal of the token URL", async () => {
    const client = recorder(() => ({ ...reply(999), error: { class: "blocked", message: "Blocked: 169.254.169.254 is a link-local (cloud metadata) address" } }));
    const res = await sendAuthenticated(client, base, { ...oauth, tokenUrl: "https://169.254.169.254/token" }, opts());
    expect(res).toMatchObject({ status: 999, error: { class: "auth" }, authError: { kind: "oauth_token", message: "Blocked: 169.254.169.254 is a link-local (cloud metadata) address" } });
    expect(res.authError).not.toHaveProperty("status");
    expect(client.sent).toHaveLength(1);
  });
});
