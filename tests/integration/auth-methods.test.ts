import type { AuthenticatedResponse } from "@/lib/domain/attempt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendAuthenticated, TokenCache } from "@/lib/delivery/transport/auth";
import { GuardedHttpClient, type OutboundRequest } from "@/lib/delivery/transport/http-client";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { startBasicServer, startKeyServer, startMd5DigestServer, startOAuthServer, startSha256DigestServer, type TestServer } from "../helpers/auth-servers";

// Every authentication method against real servers on loopback, through the real guarded client.
// No database: these are network tests.

const USER = { username: "amy", password: "Amy's pass, with \"quotes\"" };
const WRONG = { ...USER, password: "not-the-password" };
const CLIENT = { id: "leadhooks-client", secret: "client-secret-123" };
const OAUTH_USER = { username: "amy", password: "amy-password-1" };
const BEARER = "bearer-token-xyz";
const HEADER_KEY = "partner-key-123";
const QUERY_KEY = "query-key-456";
const SECRETS = [USER.password, WRONG.password, CLIENT.secret, OAUTH_USER.password, BEARER, HEADER_KEY, QUERY_KEY];

const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true } });
const post = (url: string): OutboundRequest => ({ url, method: "POST", headers: { "content-type": "application/json" }, body: '{"lead":{"id":"ld_1"}}', timeoutMs: 5000 });

/** What was sent, as reported, never holds a credential. */
function expectNoSecrets(res: AuthenticatedResponse, extra: string[] = []) {
  const reported = JSON.stringify({ sentUrl: res.sentUrl, sentHeaders: res.sentHeaders, error: res.error, authError: res.authError, challengeError: res.challengeError });
  for (const secret of [...SECRETS, ...extra]) expect(reported).not.toContain(secret);
}

describe("Basic", () => {
  let server: TestServer;
  beforeAll(async () => (server = await startBasicServer(USER)));
  afterAll(() => server.close());

  it("is accepted with the right credentials", async () => {
    const res = await sendAuthenticated(client, post(`${server.url}/leads`), { type: "BASIC", ...USER }, { cacheKey: "basic" });
    expect(res).toMatchObject({ status: 200, body: "welcome amy" });
    expect(server.received.at(-1)!.headers.authorization).toMatch(/^Basic /);
    expect(res.sentHeaders.Authorization).toBe("[redacted]");
    expectNoSecrets(res);
  });

  it("is refused (401) with the wrong password", async () => {
    const res = await sendAuthenticated(client, post(`${server.url}/leads`), { type: "BASIC", ...WRONG }, { cacheKey: "basic" });
    expect(res.status).toBe(401);
    expectNoSecrets(res);
  });
});

describe("Digest MD5 (http-auth)", () => {
  let md5: TestServer;
  let md5sess: TestServer;
  beforeAll(async () => {
    md5 = await startMd5DigestServer(USER);
    md5sess = await startMd5DigestServer(USER, "MD5-sess");
  });
  afterAll(async () => {
    await md5.close();
    await md5sess.close();
  });

  it("answers the challenge on one re-sent request and is accepted", async () => {
    const before = md5.received.length;
    const res = await sendAuthenticated(client, post(`${md5.url}/leads?src=web`), { type: "DIGEST", ...USER }, { cacheKey: "digest" });
    expect(res).toMatchObject({ status: 200, body: "welcome amy" });
    const [challenged, answered] = md5.received.slice(before);
    expect(challenged!.headers.authorization).toBeUndefined();
    expect(answered!.headers.authorization).toMatch(/^Digest .*algorithm=MD5.*qop=auth/);
    expect(answered!.body).toBe('{"lead":{"id":"ld_1"}}'); // the body is sent again, whole
    expect(md5.received.length - before).toBe(2);
    expectNoSecrets(res);
  });

  it("is refused (401) with the wrong password", async () => {
    const res = await sendAuthenticated(client, post(`${md5.url}/leads`), { type: "DIGEST", ...WRONG }, { cacheKey: "digest" });
    expect(res.status).toBe(401);
    expectNoSecrets(res);
  });

  it("answers MD5-sess too", async () => {
    const res = await sendAuthenticated(client, post(`${md5sess.url}/leads`), { type: "DIGEST", ...USER }, { cacheKey: "digest" });
    expect(res.status).toBe(200);
  });
});

describe("Digest SHA-256 (independent RFC 7616 verifier)", () => {
  let sha: Awaited<ReturnType<typeof startSha256DigestServer>>;
  let sess: Awaited<ReturnType<typeof startSha256DigestServer>>;
  let authInt: Awaited<ReturnType<typeof startSha256DigestServer>>;
  beforeAll(async () => {
    sha = await startSha256DigestServer(USER, { alsoOfferMd5: true });
    sess = await startSha256DigestServer(USER, { algorithm: "SHA-256-sess" });
    authInt = await startSha256DigestServer(USER, { qop: "auth-int" });
  });
  afterAll(async () => {
    await Promise.all([sha.close(), sess.close(), authInt.close()]);
  });

  it("picks SHA-256 over the MD5 challenge offered beside it and is accepted (uri with a query)", async () => {
    const res = await sendAuthenticated(client, post(`${sha.url}/v1/leads?src=web&q=a%20b`), { type: "DIGEST", ...USER }, { cacheKey: "digest" });
    expect(res).toMatchObject({ status: 200, body: "welcome amy" });
    expect(sha.verdicts.slice(-2)).toEqual(["no digest credentials", "ok"]);
    expect(sha.received.at(-1)!.headers.authorization).toMatch(/algorithm=SHA-256,/);
    expectNoSecrets(res);
  });

  it("is refused (401) with the wrong password", async () => {
    const res = await sendAuthenticated(client, post(`${sha.url}/leads`), { type: "DIGEST", ...WRONG }, { cacheKey: "digest" });
    expect(res.status).toBe(401);
    expect(sha.verdicts.at(-1)).toBe("wrong response");
    expectNoSecrets(res);
  });

  it("answers SHA-256-sess too", async () => {
    const res = await sendAuthenticated(client, post(`${sess.url}/leads`), { type: "DIGEST", ...USER }, { cacheKey: "digest" });
    expect(res.status).toBe(200);
    expect(sess.verdicts.at(-1)).toBe("ok");
  });

  it("does not try a challenge it cannot answer (qop=auth-int only) and says why", async () => {
    const res = await sendAuthenticated(client, post(`${authInt.url}/leads`), { type: "DIGEST", ...USER }, { cacheKey: "digest" });
    expect(res.status).toBe(401);
    expect(res.challengeError).toMatch(/qop=auth-int \(only qop=auth is supported\)/);
    expect(authInt.received).toHaveLength(1);
  });
});

describe("Bearer and API key", () => {
  let server: TestServer;
  beforeAll(async () => (server = await startKeyServer({ authorization: `Bearer ${BEARER}`, header: { name: "X-Partner-Key", value: HEADER_KEY }, query: { name: "api_key", value: QUERY_KEY } })));
  afterAll(() => server.close());

  const send = (path: string, auth: AuthConfig) => sendAuthenticated(client, post(`${server.url}${path}`), auth, { cacheKey: "keys" });

  it("Bearer: accepted with the token, refused without the right one", async () => {
    const ok = await send("/bearer", { type: "BEARER", prefix: "Bearer", token: BEARER });
    expect(ok).toMatchObject({ status: 200, body: "accepted" });
    expectNoSecrets(ok);
    expect((await send("/bearer", { type: "BEARER", prefix: "Token", token: BEARER })).status).toBe(401);
  });

  it("API key in a header: accepted, and the custom header is redacted", async () => {
    const res = await send("/api-key-header", { type: "API_KEY", name: "X-Partner-Key", value: HEADER_KEY, in: "header" });
    expect(res.status).toBe(200);
    expect(res.sentHeaders["X-Partner-Key"]).toBe("[redacted]");
    expectNoSecrets(res);
  });

  it("API key in the query: accepted, existing parameters kept, the value redacted in sentUrl", async () => {
    const res = await send("/api-key-query?src=web", { type: "API_KEY", name: "api_key", value: QUERY_KEY, in: "query" });
    expect(res.status).toBe(200);
    expect(server.received.at(-1)!.url).toBe(`/api-key-query?src=web&api_key=${QUERY_KEY}`);
    expect(res.sentUrl).toBe(`${server.url}/api-key-query?src=web&api_key=[redacted]`);
    expectNoSecrets(res);
  });
});

describe("OAuth 2.0 (@node-oauth/oauth2-server)", () => {
  let as: Awaited<ReturnType<typeof startOAuthServer>>;
  beforeAll(async () => (as = await startOAuthServer({ client: CLIENT, user: OAUTH_USER })));
  afterAll(() => as.close());

  const config = (over: Partial<Extract<AuthConfig, { type: "OAUTH2" }>> = {}): AuthConfig => ({
    type: "OAUTH2",
    tokenUrl: as.tokenUrl,
    grantType: "client_credentials",
    clientId: CLIENT.id,
    clientSecret: CLIENT.secret,
    username: "",
    password: "",
    scope: "leads:write",
    audience: "https://api.partner.example",
    clientAuth: "basic",
    ...over,
  });
  const resourceHits = () => as.received.filter((r) => r.url === "/resource");
  const noTokenLeak = (res: AuthenticatedResponse) => expectNoSecrets(res, as.issuedTokens());

  it("client credentials (Basic client auth): a token is issued, sent, then reused from the cache", async () => {
    const cache = new TokenCache();
    const before = as.tokenRequests.length;
    const first = await sendAuthenticated(client, post(as.resourceUrl), config(), { cacheKey: "rule_cc", tokenCache: cache });
    expect(first).toMatchObject({ status: 200, body: '{"accepted":true}' });
    expect(as.tokenRequests.slice(before)).toEqual([
      { grantType: "client_credentials", clientAuth: "basic", params: { grant_type: "client_credentials", scope: "leads:write", audience: "https://api.partner.example" } },
    ]);
    const second = await sendAuthenticated(client, post(as.resourceUrl), config(), { cacheKey: "rule_cc", tokenCache: cache });
    expect(second.status).toBe(200);
    expect(as.tokenRequests.length - before).toBe(1); // no new token request
    const [a, b] = resourceHits().slice(-2);
    expect(a!.headers.authorization).toBe(b!.headers.authorization);
    expect(first.sentHeaders.Authorization).toBe("[redacted]");
    noTokenLeak(first);
    noTokenLeak(second);
  });

  it("client credentials with the client's id and secret in the body", async () => {
    const res = await sendAuthenticated(client, post(as.resourceUrl), config({ clientAuth: "body" }), { cacheKey: "rule_body", tokenCache: new TokenCache() });
    expect(res.status).toBe(200);
    expect(as.tokenRequests.at(-1)).toMatchObject({ grantType: "client_credentials", clientAuth: "body", params: { client_id: CLIENT.id } });
  });

  it("password grant: a token for the user", async () => {
    const res = await sendAuthenticated(client, post(as.resourceUrl), config({ grantType: "password", ...OAUTH_USER, scope: "" }), { cacheKey: "rule_pw", tokenCache: new TokenCache() });
    expect(res.status).toBe(200);
    expect(as.tokenRequests.at(-1)).toMatchObject({ grantType: "password", clientAuth: "basic", params: { username: "amy" } });
    noTokenLeak(res);
  });

  it("fetches a new token once the cached one is about to expire (injected clock)", async () => {
    let clock = Date.now();
    const opts = { cacheKey: "rule_clock", tokenCache: new TokenCache(), now: () => clock };
    const before = as.tokenRequests.length;
    await sendAuthenticated(client, post(as.resourceUrl), config(), opts);
    clock += 3_500_000; // 58 min: still valid (expires_in 3600, less 30 s)
    await sendAuthenticated(client, post(as.resourceUrl), config(), opts);
    expect(as.tokenRequests.length - before).toBe(1);
    clock += 100_000; // within 30 s of expiry
    const res = await sendAuthenticated(client, post(as.resourceUrl), config(), opts);
    expect(res.status).toBe(200);
    expect(as.tokenRequests.length - before).toBe(2);
  });

  it("holds a token for its real, short lifetime, then fetches a new one", async () => {
    as.setLifetime(1); // expires_in 1: held for 0.9 s
    try {
      // The clock moves only when the test says: on a busy machine two real sends can be more
      // than 0.9 s apart, and a fixed 1 s sleep is exactly what tests must not do.
      let clock = Date.now();
      const opts = { cacheKey: "rule_short", tokenCache: new TokenCache(), now: () => clock };
      const before = as.tokenRequests.length;
      expect((await sendAuthenticated(client, post(as.resourceUrl), config(), opts)).status).toBe(200);
      clock += 800;
      expect((await sendAuthenticated(client, post(as.resourceUrl), config(), opts)).status).toBe(200);
      expect(as.tokenRequests.length - before).toBe(1);
      clock += 200;
      expect((await sendAuthenticated(client, post(as.resourceUrl), config(), opts)).status).toBe(200);
      expect(as.tokenRequests.length - before).toBe(2);
    } finally {
      as.setLifetime(3600);
    }
  });

  it("after a 401 (tokens revoked) drops the cached token, fetches one new token and re-sends once", async () => {
    const opts = { cacheKey: "rule_revoke", tokenCache: new TokenCache() };
    await sendAuthenticated(client, post(as.resourceUrl), config(), opts);
    const tokensBefore = as.tokenRequests.length;
    const hitsBefore = resourceHits().length;
    as.revokeAll();
    const res = await sendAuthenticated(client, post(as.resourceUrl), config(), opts);
    expect(res).toMatchObject({ status: 200, body: '{"accepted":true}' });
    expect(as.tokenRequests.length - tokensBefore).toBe(1);
    expect(resourceHits().length - hitsBefore).toBe(2); // the refused request and its one re-send
    noTokenLeak(res);
  });

  it("concurrent deliveries share one token request", async () => {
    const opts = { cacheKey: "rule_concurrent", tokenCache: new TokenCache() };
    const before = as.tokenRequests.length;
    const results = await Promise.all(Array.from({ length: 6 }, () => sendAuthenticated(client, post(as.resourceUrl), config(), opts)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(as.tokenRequests.length - before).toBe(1);
  });

  it("a wrong client secret gives the token endpoint's error, and the endpoint is not called", async () => {
    const hitsBefore = resourceHits().length;
    const basic = await sendAuthenticated(client, post(as.resourceUrl), config({ clientSecret: "wrong-secret-999" }), { cacheKey: "rule_bad", tokenCache: new TokenCache() });
    expect(basic).toMatchObject({ status: 999, error: { class: "auth" } });
    expect(basic.authError).toMatchObject({ kind: "oauth_token", status: 401, message: "invalid_client: Invalid client: client is invalid" });
    expect(basic.error!.message).toBe("OAuth token request failed (HTTP 401): invalid_client: Invalid client: client is invalid");
    const body = await sendAuthenticated(client, post(as.resourceUrl), config({ clientSecret: "wrong-secret-999", clientAuth: "body" }), { cacheKey: "rule_bad", tokenCache: new TokenCache() });
    expect(body.authError).toMatchObject({ status: 400, message: expect.stringMatching(/^invalid_client/) });
    expect(resourceHits().length).toBe(hitsBefore);
    expectNoSecrets(basic, ["wrong-secret-999"]);
    expectNoSecrets(body, ["wrong-secret-999"]);
  });

  it("a wrong user password (password grant) gives invalid_grant", async () => {
    const res = await sendAuthenticated(client, post(as.resourceUrl), config({ grantType: "password", username: "amy", password: "wrong-pass-777" }), { cacheKey: "rule_badpw", tokenCache: new TokenCache() });
    expect(res.authError).toMatchObject({ status: 400, message: expect.stringMatching(/^invalid_grant/) });
    expectNoSecrets(res, ["wrong-pass-777"]);
  });

  it.each(["http://169.254.169.254/latest/api/token", "http://10.0.0.1/oauth/token"])("a token URL on a blocked address (%s) is refused by the SSRF guard", async (tokenUrl) => {
    const hitsBefore = resourceHits().length;
    const res = await sendAuthenticated(client, post(as.resourceUrl), config({ tokenUrl }), { cacheKey: "rule_ssrf", tokenCache: new TokenCache() });
    expect(res).toMatchObject({ status: 999, error: { class: "auth" }, authError: { kind: "oauth_token", message: expect.stringMatching(/^Blocked: .* address/) } });
    expect(res.authError).not.toHaveProperty("status");
    expect(resourceHits().length).toBe(hitsBefore);
  });

  it("an http:// token URL is refused when the policy does not allow insecure URLs", async () => {
    const strict = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: false } });
    try {
      const before = as.tokenRequests.length;
      const res = await sendAuthenticated(strict, post(as.resourceUrl), config(), { cacheKey: "rule_strict", tokenCache: new TokenCache() });
      expect(res.authError?.message).toMatch(/Plain http:\/\/ URLs are not allowed/);
      expect(as.tokenRequests.length).toBe(before);
    } finally {
      await strict.destroy();
    }
  });
});

afterAll(() => client.destroy());
