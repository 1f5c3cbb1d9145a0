import type { OutboundResponse } from "@/lib/domain/attempt";
import { describe, expect, it } from "vitest";
import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import { chooseDigestChallenge, type DigestChallenge, digestAuthorization, digestResponse, requestTarget, sendWithDigest } from "./digest";
import { parseWwwAuthenticate } from "./www-authenticate";

// RFC 7616 §3.9.1: the published example, for both algorithms.
const RFC = {
  username: "Mufasa",
  password: "Circle of Life",
  realm: "http-auth@example.org",
  nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
  cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  opaque: "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
  nc: "00000001",
  qop: "auth" as const,
  method: "GET",
  uri: "/dir/index.html",
};
const RFC_SHA256_CHALLENGE = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`;
const RFC_MD5_CHALLENGE = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`;
/** The RFC's two WWW-Authenticate headers, joined as the HTTP client joins repeated headers. */
const RFC_CHALLENGES = `${RFC_SHA256_CHALLENGE}, ${RFC_MD5_CHALLENGE}`;

describe("digest response (RFC 7616 §3.9.1)", () => {
  it("matches the RFC's MD5 example", () => {
    expect(digestResponse({ ...RFC, algorithm: "MD5" })).toBe("8ca523f5e9506fed4657c9700eebdbec");
  });

  it("matches the RFC's SHA-256 example", () => {
    expect(digestResponse({ ...RFC, algorithm: "SHA-256" })).toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  });

  it("reads the algorithm name case-insensitively and refuses an unknown one", () => {
    expect(digestResponse({ ...RFC, algorithm: "md5" })).toBe("8ca523f5e9506fed4657c9700eebdbec");
    expect(() => digestResponse({ ...RFC, algorithm: "SHA-512-256" })).toThrow(/not supported/);
  });

  it("-sess variants hash the nonce and cnonce into HA1, so they differ from the plain algorithm", () => {
    const sess = digestResponse({ ...RFC, algorithm: "MD5-sess" });
    expect(sess).toMatch(/^[0-9a-f]{32}$/);
    expect(sess).not.toBe("8ca523f5e9506fed4657c9700eebdbec");
    expect(digestResponse({ ...RFC, algorithm: "SHA-256-sess" })).toMatch(/^[0-9a-f]{64}$/);
  });

  it("builds the RFC's Authorization header from its challenge", () => {
    const chosen = chooseDigestChallenge(parseWwwAuthenticate(RFC_MD5_CHALLENGE));
    expect(chosen.ok).toBe(true);
    if (!chosen.ok) return;
    const header = digestAuthorization(chosen.challenge, RFC, "GET", RFC.uri, RFC.cnonce, "00000001");
    const [parsed] = parseWwwAuthenticate(header);
    expect(parsed).toEqual({
      scheme: "digest",
      params: {
        username: "Mufasa",
        realm: RFC.realm,
        uri: RFC.uri,
        algorithm: "MD5",
        nonce: RFC.nonce,
        nc: "00000001",
        cnonce: RFC.cnonce,
        qop: "auth",
        response: "8ca523f5e9506fed4657c9700eebdbec",
        opaque: RFC.opaque,
      },
    });
    // qop and nc are tokens, not quoted strings (some servers insist).
    expect(header).toContain("nc=00000001, ");
    expect(header).toContain("qop=auth, ");
  });
});

describe("choosing a Digest challenge", () => {
  it("prefers SHA-256 when the server offers SHA-256 and MD5 (the RFC's example) and picks qop=auth", () => {
    const chosen = chooseDigestChallenge(parseWwwAuthenticate(RFC_CHALLENGES));
    expect(chosen).toEqual({ ok: true, challenge: { realm: RFC.realm, nonce: RFC.nonce, opaque: RFC.opaque, algorithm: "SHA-256", qop: "auth", userhash: false } });
  });

  it("prefers SHA-256 even when MD5 is listed first, and ignores other schemes", () => {
    const chosen = chooseDigestChallenge(parseWwwAuthenticate(`Basic realm="x", Digest realm="r", nonce="n1", algorithm=MD5, qop="auth", Digest realm="r", nonce="n2", algorithm=SHA-256, qop="auth"`));
    expect(chosen.ok && chosen.challenge).toMatchObject({ algorithm: "SHA-256", nonce: "n2" });
  });

  it("defaults to MD5 when the challenge names no algorithm, and answers an RFC 2069 server without qop", () => {
    const chosen = chooseDigestChallenge(parseWwwAuthenticate(`Digest realm="r", nonce="abc"`));
    expect(chosen).toEqual({ ok: true, challenge: { realm: "r", nonce: "abc", opaque: undefined, algorithm: "MD5", qop: null, userhash: false } });
    if (!chosen.ok) return;
    const header = digestAuthorization(chosen.challenge, { username: "u", password: "p" }, "GET", "/", "c");
    expect(header).not.toMatch(/qop=|nc=|cnonce=/);
    const response = parseWwwAuthenticate(header)[0]!.params.response;
    expect(response).toBe(digestResponse({ algorithm: "MD5", username: "u", password: "p", realm: "r", nonce: "abc", cnonce: "", nc: "", qop: null, method: "GET", uri: "/" }));
  });

  it("refuses a server that only offers qop=auth-int, saying so", () => {
    const chosen = chooseDigestChallenge(parseWwwAuthenticate(`Digest realm="r", nonce="n", qop="auth-int"`));
    expect(chosen).toEqual({ ok: false, message: expect.stringMatching(/requires qop=auth-int \(only qop=auth is supported\)/) });
  });

  it("refuses an unknown algorithm, naming it", () => {
    const chosen = chooseDigestChallenge(parseWwwAuthenticate(`Digest realm="r", nonce="n", qop="auth", algorithm=SHA-512-256`));
    expect(chosen).toEqual({ ok: false, message: expect.stringContaining("algorithm SHA-512-256 is not supported") });
  });

  it("says when the server asked for something other than Digest", () => {
    expect(chooseDigestChallenge(parseWwwAuthenticate(`Basic realm="x"`))).toEqual({ ok: false, message: expect.stringContaining("offered: basic") });
    expect(chooseDigestChallenge([])).toEqual({ ok: false, message: expect.stringContaining("without a Digest challenge") });
  });

  it("hashes the username when the server asks for userhash, and encodes a non-ASCII one (RFC 8187)", () => {
    const ch: DigestChallenge = { realm: RFC.realm, nonce: RFC.nonce, algorithm: "SHA-256", qop: "auth", userhash: true };
    const hashed = parseWwwAuthenticate(digestAuthorization(ch, RFC, "GET", "/", "c"))[0]!.params;
    // RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)), here SHA-256("Mufasa:http-auth@example.org")
    expect(hashed.username).toBe("a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6");
    expect(hashed.userhash).toBe("true");
    const header = digestAuthorization({ ...ch, userhash: false }, { username: "Jäsøn Doe", password: "x" }, "GET", "/", "c");
    expect(header).toContain("username*=UTF-8''J%C3%A4s%C3%B8n%20Doe");
  });

  it("encodes a username with a lone surrogate (the form can hold one) instead of throwing", () => {
    const ch: DigestChallenge = { realm: RFC.realm, nonce: RFC.nonce, algorithm: "MD5", qop: "auth", userhash: false };
    const header = digestAuthorization(ch, { username: "am\ud800y (x)", password: "x" }, "POST", "/", "c");
    // The surrogate goes out as U+FFFD, as the UTF-8 encoder writes it; "(" and ")" are not attr-chars.
    expect(header).toContain("username*=UTF-8''am%EF%BF%BDy%20%28x%29");
  });
});

describe("parsing WWW-Authenticate", () => {
  it("reads quoted strings with commas, escaped quotes and spaces around '='", () => {
    expect(parseWwwAuthenticate(`Digest realm = "a, \\"b\\"", nonce="n,1", qop="auth,auth-int"`)).toEqual([
      { scheme: "digest", params: { realm: 'a, "b"', nonce: "n,1", qop: "auth,auth-int" } },
    ]);
  });

  it("splits several challenges, lower-cases schemes and parameter names, and keeps token68 credentials", () => {
    expect(parseWwwAuthenticate(`Negotiate abc+/==, NTLM, DIGEST Realm="r", NONCE=Zm9v/YmFy==, Bearer`)).toEqual([
      { scheme: "negotiate", params: {}, token68: "abc+/==" },
      { scheme: "ntlm", params: {} },
      { scheme: "digest", params: { realm: "r", nonce: "Zm9v/YmFy==" } },
      { scheme: "bearer", params: {} },
    ]);
  });

  it("survives malformed input without throwing", () => {
    expect(() => parseWwwAuthenticate(`Digest realm="unterminated, nonce=`)).not.toThrow();
    expect(parseWwwAuthenticate("")).toEqual([]);
    expect(parseWwwAuthenticate(`=, ;;, Basic`).map((c) => c.scheme)).toEqual(["basic"]);
  });
});

describe("sending with Digest", () => {
  const req: OutboundRequest = { url: "https://api.example.com/dir/index.html?a=1", method: "post", headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 1000 };
  const answer = (status: number, headers: Record<string, string> = {}): OutboundResponse => ({ status, headers, body: "", bodyTruncated: false, durationMs: 1 });

  it("re-sends once with the answer to the challenge; the sent header is redacted", async () => {
    const sent: OutboundRequest[] = [];
    const replies = [answer(401, { "www-authenticate": `Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256` }), answer(200)];
    const res = await sendWithDigest({ send: async (r) => (sent.push(r), replies.shift()!) }, req, { username: "u", password: "secret-pw" });
    expect(res.status).toBe(200);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.headers).not.toHaveProperty("Authorization");
    const params = parseWwwAuthenticate(sent[1]!.headers.Authorization!)[0]!.params;
    expect(params).toMatchObject({ username: "u", uri: "/dir/index.html?a=1", algorithm: "SHA-256", nc: "00000001", qop: "auth" });
    expect(params.response).toBe(digestResponse({ algorithm: "SHA-256", username: "u", password: "secret-pw", realm: "r", nonce: "n", cnonce: params.cnonce!, nc: "00000001", qop: "auth", method: "POST", uri: "/dir/index.html?a=1" }));
    expect(res.sentHeaders.Authorization).toBe("[redacted]");
    expect(JSON.stringify(res)).not.toContain("secret-pw");
  });

  it("does not re-send when the challenge cannot be answered, and says why", async () => {
    const sent: OutboundRequest[] = [];
    const res = await sendWithDigest({ send: async (r) => (sent.push(r), answer(401, { "www-authenticate": `Digest realm="r", nonce="n", qop="auth-int"` })) }, req, { username: "u", password: "p" });
    expect(sent).toHaveLength(1);
    expect(res.status).toBe(401);
    expect(res.challengeError).toMatch(/qop=auth-int/);
  });

  it("sends once when the server does not challenge", async () => {
    const sent: OutboundRequest[] = [];
    const res = await sendWithDigest({ send: async (r) => (sent.push(r), answer(204)) }, req, { username: "u", password: "p" });
    expect(sent).toHaveLength(1);
    expect(res.status).toBe(204);
  });

  it("names the request target as on the request line", () => {
    expect(requestTarget("https://h.example/a%20b/c?x=1&y=%2F#frag")).toBe("/a%20b/c?x=1&y=%2F");
  });
});
