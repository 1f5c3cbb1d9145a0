import OAuth2Server from "@node-oauth/oauth2-server";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

// Real servers on 127.0.0.1 that authenticate the way receivers in the wild do, for the
// authentication tests. Nothing here shares code with lib/delivery/transport/auth: Basic and Digest MD5
// come from the `http-auth` package, OAuth 2.0 from `@node-oauth/oauth2-server`, and the SHA-256
// Digest verifier below is written from RFC 7616 independently of the client's implementation.

export interface Received {
  method: string;
  /** Path and query, as on the request line. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>): Promise<TestServer> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body });
      Promise.resolve(handler(req, res, body)).catch((err: Error) => res.writeHead(500).end(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

// http-auth ships no types: the part used here.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface HttpAuthGuard {
  check(next: (req: IncomingMessage & { user?: string }, res: ServerResponse) => void): Handler;
}
interface HttpAuth {
  basic(options: { realm: string }, checker: (user: string, pass: string, done: (ok: boolean) => void) => void): HttpAuthGuard;
  digest(options: { realm: string; file: () => string; algorithm?: "MD5" | "MD5-sess" }): HttpAuthGuard;
}
const httpAuth = createRequire(import.meta.url)("http-auth") as HttpAuth;

const welcome = (req: IncomingMessage & { user?: string }, res: ServerResponse) => res.writeHead(200, { "content-type": "text/plain" }).end(`welcome ${req.user}`);

/** Basic authentication (http-auth): 200 "welcome <user>" for the right pair, else 401. */
export function startBasicServer(user: { username: string; password: string }): Promise<TestServer> {
  const guard = httpAuth.basic({ realm: "basic-test" }, (u, p, done) => done(u === user.username && p === user.password)).check(welcome);
  return serve((req, res) => guard(req, res));
}

/** Digest MD5 or MD5-sess, qop=auth (http-auth, from an htdigest line). */
export function startMd5DigestServer(user: { username: string; password: string }, algorithm: "MD5" | "MD5-sess" = "MD5"): Promise<TestServer> {
  const realm = "digest-md5-test";
  const ha1 = createHash("md5").update(`${user.username}:${realm}:${user.password}`).digest("hex");
  const guard = httpAuth.digest({ realm, algorithm, file: () => `${user.username}:${realm}:${ha1}` }).check(welcome);
  return serve((req, res) => guard(req, res));
}

/** Reads an Authorization: Digest header's parameters (a deliberately separate, simple parser). */
function digestParams(header: string): Record<string, string> | null {
  if (!/^Digest\s/i.test(header)) return null;
  const out: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([A-Za-z0-9*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    out[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
  }
  return out;
}

export interface Sha256DigestOptions {
  algorithm?: "SHA-256" | "SHA-256-sess";
  /** Also offer an MD5 challenge (after the SHA-256 one, as RFC 7616 §3.9.1 does); MD5 answers are refused. */
  alsoOfferMd5?: boolean;
  /** Offer this qop; "auth-int" alone makes the challenge unanswerable for qop=auth clients. */
  qop?: string;
}

/**
 * Digest SHA-256 per RFC 7616, verified here: the challenge is issued, then the response is
 * checked (user, realm, uri against the request line, known nonce, increasing nc, opaque, qop).
 */
export async function startSha256DigestServer(user: { username: string; password: string }, options: Sha256DigestOptions = {}) {
  const realm = "digest-sha256-test";
  const algorithm = options.algorithm ?? "SHA-256";
  const qop = options.qop ?? "auth";
  const opaque = randomBytes(12).toString("base64");
  const nonces = new Map<string, number>(); // nonce → highest nc seen
  const verdicts: string[] = [];
  const sha = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
  const newNonce = () => {
    const nonce = randomBytes(24).toString("base64"); // contains "/" and "+": quoted, as it must be
    nonces.set(nonce, 0);
    return nonce;
  };

  const verify = (req: IncomingMessage): string => {
    const p = digestParams(req.headers.authorization ?? "");
    if (!p) return "no digest credentials";
    if (p.algorithm?.toUpperCase() !== algorithm.toUpperCase()) return `wrong algorithm ${p.algorithm}`;
    if (p.username !== user.username || p.realm !== realm) return "unknown user or realm";
    if (p.uri !== req.url) return `uri ${p.uri} is not the request target ${req.url}`;
    if (p.qop !== "auth" || !p.nc || !p.cnonce || p.opaque !== opaque) return "bad qop, nc, cnonce or opaque";
    const seen = nonces.get(p.nonce ?? "");
    const nc = Number.parseInt(p.nc, 16);
    if (seen === undefined || !(nc > seen)) return "unknown nonce or replayed nc";
    nonces.set(p.nonce!, nc);
    let ha1 = sha(`${user.username}:${realm}:${user.password}`);
    if (algorithm === "SHA-256-sess") ha1 = sha(`${ha1}:${p.nonce}:${p.cnonce}`);
    const expected = sha(`${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${sha(`${req.method}:${p.uri}`)}`);
    const given = Buffer.from(p.response ?? "");
    return given.length === expected.length && timingSafeEqual(given, Buffer.from(expected)) ? "ok" : "wrong response";
  };

  const server = await serve((req, res) => {
    const verdict = verify(req);
    verdicts.push(verdict);
    if (verdict === "ok") return void res.writeHead(200, { "content-type": "text/plain" }).end(`welcome ${user.username}`);
    const challenges = [`Digest realm="${realm}", qop="${qop}", algorithm=${algorithm}, nonce="${newNonce()}", opaque="${opaque}"`];
    if (options.alsoOfferMd5) challenges.push(`Digest realm="${realm}", qop="${qop}", algorithm=MD5, nonce="${newNonce()}", opaque="${opaque}"`);
    res.writeHead(401, { "www-authenticate": challenges, "content-type": "text/plain" }).end("401 Unauthorized");
  });
  return { ...server, verdicts };
}

/** Bearer and API key endpoints: /bearer, /api-key-header, /api-key-query; 200 when the credential matches, else 401. */
export function startKeyServer(expected: { authorization: string; header: { name: string; value: string }; query: { name: string; value: string } }) {
  return serve((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const ok =
      (url.pathname === "/bearer" && req.headers.authorization === expected.authorization) ||
      (url.pathname === "/api-key-header" && req.headers[expected.header.name.toLowerCase()] === expected.header.value) ||
      (url.pathname === "/api-key-query" && url.searchParams.get(expected.query.name) === expected.query.value);
    res.writeHead(ok ? 200 : 401, { "content-type": "text/plain" }).end(ok ? "accepted" : "refused");
  });
}

export interface OAuthServerOptions {
  client: { id: string; secret: string };
  user: { username: string; password: string };
  /** Access token lifetime in seconds (default 3600). */
  lifetime?: number;
}

export interface TokenRequest {
  grantType: string;
  /** How the client authenticated: the Basic header or client_id/client_secret in the body. */
  clientAuth: "basic" | "body" | "none";
  params: Record<string, string>;
}

/**
 * An OAuth 2.0 authorization server (@node-oauth/oauth2-server) with client credentials and
 * password grants at POST /token, and a protected resource at /resource that accepts only the
 * tokens it issued and has not revoked.
 */
export async function startOAuthServer(options: OAuthServerOptions) {
  let lifetime = options.lifetime ?? 3600;
  const tokens = new Map<string, OAuth2Server.Token>();
  const issued: string[] = [];
  const tokenRequests: TokenRequest[] = [];
  const client = () => ({ id: options.client.id, grants: ["client_credentials", "password"], accessTokenLifetime: lifetime });
  const model: OAuth2Server.ClientCredentialsModel & OAuth2Server.PasswordModel = {
    getClient: async (id, secret) => (id === options.client.id && secret === options.client.secret ? client() : false),
    getUserFromClient: async (c) => ({ id: `service:${c.id}` }),
    getUser: async (username, password) => (username === options.user.username && password === options.user.password ? { id: username } : false),
    saveToken: async (token, c, user) => {
      // oauth2-server reports expires_in as the whole seconds left, which is one less than the
      // lifetime as soon as a millisecond has passed; half a second more keeps it exact.
      const expiresAt = token.accessTokenExpiresAt ? new Date(token.accessTokenExpiresAt.getTime() + 500) : undefined;
      const saved = { ...token, accessTokenExpiresAt: expiresAt, client: c, user };
      tokens.set(token.accessToken, saved);
      issued.push(token.accessToken);
      return saved;
    },
    getAccessToken: async (accessToken) => tokens.get(accessToken) ?? false,
  };
  const oauth = new OAuth2Server({ model, accessTokenLifetime: 3600 });

  const asHeaders = (h: IncomingHttpHeaders) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : (v ?? "")]));
  const answer = (res: ServerResponse, r: OAuth2Server.Response) => {
    res.writeHead(r.status ?? 500, { ...r.headers, "content-type": "application/json" }).end(JSON.stringify(r.body ?? {}));
  };

  const server = await serve(async (req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    const request = new OAuth2Server.Request({ method: req.method ?? "GET", headers: asHeaders(req.headers), query: Object.fromEntries(url.searchParams), body: {} });
    const response = new OAuth2Server.Response({ headers: {} });
    if (url.pathname === "/token") {
      request.body = Object.fromEntries(new URLSearchParams(body));
      const params = { ...(request.body as Record<string, string>) };
      delete params.client_secret;
      delete params.password;
      tokenRequests.push({ grantType: params.grant_type ?? "", clientAuth: req.headers.authorization ? "basic" : params.client_id ? "body" : "none", params });
      await oauth.token(request, response).catch(() => undefined); // the error is already in `response`
      return answer(res, response);
    }
    if (url.pathname === "/resource") {
      const refusal = await oauth.authenticate(request, response).then(
        () => null,
        (err: OAuth2Server.OAuthError) => err,
      );
      if (!refusal) return void res.writeHead(200, { "content-type": "application/json" }).end('{"accepted":true}');
      // authenticate() leaves the status to the caller (Express adapters take it from the error).
      response.status = refusal.code;
      response.body = { error: refusal.name, error_description: refusal.message };
      return answer(res, response);
    }
    res.writeHead(404).end();
  });

  return {
    ...server,
    tokenUrl: `${server.url}/token`,
    resourceUrl: `${server.url}/resource`,
    tokenRequests,
    /** Every access token issued so far (to check none leaks into what the client reports). */
    issuedTokens: () => [...issued],
    /** Forget every issued token: the resource then answers 401 to all of them. */
    revokeAll: () => tokens.clear(),
    setLifetime: (seconds: number) => (lifetime = seconds),
  };
}

export interface TokenAnswerSpec {
  status?: number;
  /** Response headers; none means no Content-Type at all. */
  headers?: Record<string, string>;
  /** The body, given the access token the server issued for this request. */
  body: (accessToken: string) => string;
}

/**
 * A token endpoint that answers the way some server in the wild does (`answer`), after checking
 * the client's credentials (Basic or in the body) and the grant, and a protected resource at
 * /resource that accepts `Authorization: Bearer <token>` for the tokens it issued. For the token
 * response variants that @node-oauth/oauth2-server, being correct, never produces.
 */
export async function startTokenVariantServer(options: { client: { id: string; secret: string }; answer: TokenAnswerSpec }) {
  const issued = new Set<string>();
  let answer = options.answer;
  const server = await serve((req, res, body) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/token") {
      const form = new URLSearchParams(body);
      const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "");
      const [id, secret] = basic
        ? Buffer.from(basic[1]!, "base64").toString("utf8").split(":").map((p) => decodeURIComponent(p.replace(/\+/g, " ")))
        : [form.get("client_id"), form.get("client_secret")];
      if (id !== options.client.id || secret !== options.client.secret || form.get("grant_type") !== "client_credentials") {
        return void res.writeHead(401, { "content-type": "application/json" }).end('{"error":"invalid_client"}');
      }
      const token = randomBytes(18).toString("base64url");
      issued.add(token);
      return void res.writeHead(answer.status ?? 200, answer.headers ?? {}).end(answer.body(token));
    }
    if (url.pathname === "/resource") {
      const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "");
      const ok = m !== null && issued.has(m[1]!);
      return void res.writeHead(ok ? 200 : 401, { "content-type": "application/json" }).end(ok ? '{"accepted":true}' : '{"error":"invalid_token"}');
    }
    res.writeHead(404).end();
  });
  return {
    ...server,
    tokenUrl: `${server.url}/token`,
    resourceUrl: `${server.url}/resource`,
    issuedTokens: () => [...issued],
    tokenRequests: () => server.received.filter((r) => r.url === "/token").length,
    setAnswer: (next: TokenAnswerSpec) => (answer = next),
  };
}
