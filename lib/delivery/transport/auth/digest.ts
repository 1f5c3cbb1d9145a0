import type { AuthenticatedResponse } from "@/lib/domain/attempt";
import { createHash, randomBytes } from "node:crypto";
import type { OutboundRequest } from "@/lib/delivery/transport/http-client";
import { type HttpSender, withHeader, withSent } from "./types";
import { type Challenge, parseWwwAuthenticate } from "./www-authenticate";

// HTTP Digest authentication (RFC 7616), qop=auth, MD5 and SHA-256 with their -sess variants.
// The request goes out without credentials; a 401 carrying a Digest challenge is answered on one
// re-sent request. Servers that only speak RFC 2069 (no qop) are answered in that older form.

const ALGORITHMS = {
  "SHA-256": { hash: "sha256", sess: false },
  "SHA-256-SESS": { hash: "sha256", sess: true },
  MD5: { hash: "md5", sess: false },
  "MD5-SESS": { hash: "md5", sess: true },
} as const;
type AlgorithmKey = keyof typeof ALGORITHMS;
/** Preference when a server offers several challenges: the strongest hash first. */
const PREFERENCE: AlgorithmKey[] = ["SHA-256", "SHA-256-SESS", "MD5", "MD5-SESS"];
const CANONICAL: Record<AlgorithmKey, string> = { "SHA-256": "SHA-256", "SHA-256-SESS": "SHA-256-sess", MD5: "MD5", "MD5-SESS": "MD5-sess" };

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** As RFC 7616 spells it: "MD5", "MD5-sess", "SHA-256", "SHA-256-sess". */
  algorithm: string;
  /** "auth", or null for an RFC 2069 server that sent no qop. */
  qop: "auth" | null;
  userhash: boolean;
}

export interface DigestInput {
  algorithm: string;
  username: string;
  password: string;
  realm: string;
  nonce: string;
  cnonce: string;
  /** The nonce count, 8 hex digits ("00000001"). */
  nc: string;
  qop: "auth" | null;
  method: string;
  /** The request target as sent: path and query. */
  uri: string;
}

function algorithmOf(name: string) {
  const key = name.toUpperCase();
  return key in ALGORITHMS ? ALGORITHMS[key as AlgorithmKey] : undefined;
}

const h = (hash: string, data: string) => createHash(hash).update(data, "utf8").digest("hex");

/** The `response` value of RFC 7616 §3.4.1. */
export function digestResponse(p: DigestInput): string {
  const alg = algorithmOf(p.algorithm);
  if (!alg) throw new Error(`Digest algorithm ${p.algorithm} is not supported`);
  let ha1 = h(alg.hash, `${p.username}:${p.realm}:${p.password}`);
  if (alg.sess) ha1 = h(alg.hash, `${ha1}:${p.nonce}:${p.cnonce}`);
  const ha2 = h(alg.hash, `${p.method}:${p.uri}`);
  return p.qop ? h(alg.hash, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:${p.qop}:${ha2}`) : h(alg.hash, `${ha1}:${p.nonce}:${ha2}`);
}

/**
 * Picks the Digest challenge to answer among those the server sent: one with a supported
 * algorithm and qop=auth (or no qop), the strongest first. The message explains a refusal.
 */
export function chooseDigestChallenge(challenges: readonly Challenge[]): { ok: true; challenge: DigestChallenge } | { ok: false; message: string } {
  const digests = challenges.filter((c) => c.scheme === "digest");
  if (!digests.length) {
    const offered = challenges.map((c) => c.scheme).join(", ");
    return { ok: false, message: offered ? `The server did not ask for Digest authentication (it offered: ${offered})` : "The server answered 401 without a Digest challenge (no WWW-Authenticate header)" };
  }
  const usable: { key: AlgorithmKey; challenge: DigestChallenge }[] = [];
  const problems: string[] = [];
  for (const c of digests) {
    const algName = c.params.algorithm ?? "MD5";
    const key = algName.toUpperCase() as AlgorithmKey;
    if (!(key in ALGORITHMS)) {
      problems.push(`algorithm ${algName} is not supported (MD5, MD5-sess, SHA-256 and SHA-256-sess are)`);
      continue;
    }
    let qop: "auth" | null = null;
    if (c.params.qop !== undefined) {
      const offered = c.params.qop.split(",").map((q) => q.trim().toLowerCase());
      if (!offered.includes("auth")) {
        problems.push(`it requires qop=${offered.join(",")} (only qop=auth is supported)`);
        continue;
      }
      qop = "auth";
    }
    if (!c.params.nonce) {
      problems.push("the challenge has no nonce");
      continue;
    }
    usable.push({
      key,
      challenge: { realm: c.params.realm ?? "", nonce: c.params.nonce, opaque: c.params.opaque, algorithm: CANONICAL[key], qop, userhash: c.params.userhash?.toLowerCase() === "true" },
    });
  }
  if (!usable.length) return { ok: false, message: `The server's Digest challenge cannot be answered: ${[...new Set(problems)].join("; ")}` };
  usable.sort((a, b) => PREFERENCE.indexOf(a.key) - PREFERENCE.indexOf(b.key));
  return { ok: true, challenge: usable[0]!.challenge };
}

const quote = (v: string) => `"${v.replace(/[\\"]/g, "\\$&")}"`;

/** The username parameter: hashed (userhash), quoted, or RFC 8187-encoded when not plain ASCII. */
function usernameParam(ch: DigestChallenge, username: string): string {
  if (ch.userhash) return `username=${quote(h(algorithmOf(ch.algorithm)!.hash, `${username}:${ch.realm}`))}`;
  if (/^[\x20-\x7e]*$/.test(username)) return `username=${quote(username)}`;
  return `username*=UTF-8''${extValue(username)}`;
}

const ATTR_CHAR = /[A-Za-z0-9!#$&+\-.^_`|~]/;

/**
 * RFC 8187 ext-value: the UTF-8 bytes, attr-chars as they are and the rest percent-encoded. From
 * the bytes rather than encodeURIComponent, which throws on a lone surrogate (the username is
 * whatever the form held) and would then stop the delivery outright.
 */
function extValue(value: string): string {
  let out = "";
  for (const b of Buffer.from(value, "utf8")) {
    const c = String.fromCharCode(b);
    out += b < 0x80 && ATTR_CHAR.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The Authorization header answering a challenge (RFC 7616 §3.4). */
export function digestAuthorization(ch: DigestChallenge, creds: { username: string; password: string }, method: string, uri: string, cnonce: string, nc = "00000001"): string {
  const response = digestResponse({ ...creds, algorithm: ch.algorithm, realm: ch.realm, nonce: ch.nonce, cnonce, nc, qop: ch.qop, method, uri });
  const parts = [usernameParam(ch, creds.username), `realm=${quote(ch.realm)}`, `uri=${quote(uri)}`, `algorithm=${ch.algorithm}`, `nonce=${quote(ch.nonce)}`];
  if (ch.qop) parts.push(`nc=${nc}`, `cnonce=${quote(cnonce)}`, `qop=${ch.qop}`);
  parts.push(`response=${quote(response)}`);
  if (ch.opaque !== undefined) parts.push(`opaque=${quote(ch.opaque)}`);
  if (ch.userhash) parts.push("userhash=true");
  return `Digest ${parts.join(", ")}`;
}

/** The request target a Digest `uri` names: path and query, as on the request line. */
export function requestTarget(url: string): string {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
}

export async function sendWithDigest(client: HttpSender, req: OutboundRequest, creds: { username: string; password: string }): Promise<AuthenticatedResponse> {
  const first = await client.send(req);
  if (first.status !== 401) return withSent(first, req);
  const chosen = chooseDigestChallenge(parseWwwAuthenticate(first.headers["www-authenticate"] ?? ""));
  if (!chosen.ok) return withSent(first, req, { challengeError: chosen.message });
  const cnonce = randomBytes(16).toString("hex");
  const authed = withHeader(req, "Authorization", digestAuthorization(chosen.challenge, creds, req.method.toUpperCase(), requestTarget(req.url), cnonce));
  return withSent(await client.send(authed), authed);
}
