import type { AuthConfig } from "@/lib/domain/rule/auth";
import type { AuthenticatedResponse } from "@/lib/domain/attempt";
import { REDACTED } from "../policy/redact";

// No secret of a rule is stored or shown, whatever the other side sends back. Debugging endpoints
// echo the request's headers (the Authorization header, an API key) in their body or headers, and
// a token endpoint or a proxy may quote them in an error. The attempt (dispatcher) and the Test
// Connection result are built from a response scrubbed here, once, with one list of the rule's
// secrets: every credential of its authentication, the credential values actually sent (an OAuth
// access token, a Digest answer), and its signing secrets (the previous one too during a
// rotation), each also in the encodings a receiver typically echoes them in. Pure.

/** Shorter values would blank out ordinary text and protect nothing. */
const MIN_SECRET = 4;
/** At the end of a truncated body, a secret cut in two still leaves its first part: this much is redacted too. */
const MIN_CUT_PREFIX = 4;

export interface RuleSecretSources {
  auth: AuthConfig;
  /** The secrets that sign the rule's deliveries (current and, during a rotation, previous). */
  signingSecrets: readonly string[];
  /** What was sent: its credential header values (AuthenticatedResponse.sentCredentials). */
  sent?: Pick<AuthenticatedResponse, "sentCredentials"> | null;
}

/** The rule's secret values, raw. */
export function ruleSecretValues({ auth, signingSecrets, sent }: RuleSecretSources): string[] {
  const values: string[] = [];
  switch (auth.type) {
    case "BASIC":
      values.push(auth.password, Buffer.from(`${auth.username}:${auth.password}`, "utf8").toString("base64"));
      break;
    case "DIGEST":
      values.push(auth.password);
      break;
    case "OAUTH2": {
      // client_secret_basic's header to the token endpoint (auth/oauth2-token.ts form-encodes the pair first).
      const form = (v: string) => new URLSearchParams([["", v]]).toString().slice(1);
      values.push(auth.clientSecret, auth.password, Buffer.from(`${form(auth.clientId)}:${form(auth.clientSecret)}`, "utf8").toString("base64"));
      break;
    }
    case "BEARER":
      values.push(auth.token);
      break;
    case "API_KEY":
      values.push(auth.value);
      break;
  }
  for (const s of signingSecrets) values.push(s, s.replace(/^whsec_/, ""));
  for (const v of sent?.sentCredentials ?? []) {
    values.push(v);
    // "Bearer abc", "Basic dXNlcjpwYXNz", "Digest …": the credentials after the scheme on their own.
    const space = v.indexOf(" ");
    if (space > 0) values.push(v.slice(space + 1).trim());
  }
  return values.filter((v) => v.length >= MIN_SECRET);
}

const htmlText = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** HTML escaping as the common escapers do it: text only, with double quotes, with single quotes (&#39; or &#x27;). */
const html = (s: string) => {
  const quoted = htmlText(s).replace(/"/g, "&quot;");
  return [htmlText(s), quoted, quoted.replace(/'/g, "&#39;"), quoted.replace(/'/g, "&#x27;")];
};

/** A value as receivers echo it: as is, URL- and form-encoded, JSON-escaped (also with "\/"), HTML-escaped. */
function encodings(value: string): string[] {
  const json = JSON.stringify(value).slice(1, -1);
  let uri = value;
  try {
    uri = encodeURIComponent(value);
  } catch {
    // a lone surrogate: no URL-encoded form to look for
  }
  const form = new URLSearchParams([["", value]]).toString().slice(1);
  const lowerHex = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  // Base64 (a Basic pair, a whsec_ key) is also echoed without its padding or as base64url.
  const base64 = /^[A-Za-z0-9+/]+=*$/.test(value) && /[=+/]/.test(value) ? [value.replace(/=+$/, ""), value.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")] : [];
  return [value, uri, lowerHex(uri), form, lowerHex(form), json, json.replace(/\//g, "\\/"), ...html(value), ...base64];
}

export type Scrubber = (text: string, opts?: { truncated?: boolean }) => string;

/** The longest run of letters and digits in `value`: every encoding above leaves it as it is. */
export function unencodedCore(value: string): string {
  let best = "";
  for (const run of value.split(/[^A-Za-z0-9]+/)) if (run.length > best.length) best = run;
  return best;
}

/**
 * Replaces every secret (in each of its encodings) with "[redacted]"; longest first. Most answers
 * hold no secret at all: a text is first checked for each secret's unencoded core (one search per
 * secret), and the encodings are only built and searched for when one is there.
 */
export function secretScrubber(values: readonly string[]): Scrubber {
  let needles: string[] | null = null;
  const allNeedles = () => (needles ??= [...new Set(values.flatMap(encodings))].filter((n) => n.length >= MIN_SECRET).sort((a, b) => b.length - a.length));
  const cores = values.map(unencodedCore);
  const mayHoldOne = cores.every((c) => c.length >= MIN_SECRET) ? (text: string) => cores.some((c) => text.includes(c)) : () => true;
  return (text, opts) => {
    if (!values.length || (!opts?.truncated && !mayHoldOne(text))) return text;
    let out = text;
    const needles = allNeedles();
    for (const n of needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    if (opts?.truncated) {
      // The body was cut at the size cap: a secret split by the cut still shows its beginning.
      for (const n of needles) {
        for (let len = Math.min(n.length - 1, out.length); len >= MIN_CUT_PREFIX; len--) {
          if (out.endsWith(n.slice(0, len))) {
            out = out.slice(0, out.length - len) + REDACTED;
            break;
          }
        }
      }
    }
    return out;
  };
}

/** The response with every secret scrubbed from what the other side sent and from the error messages. */
export function scrubResponse(res: AuthenticatedResponse, scrub: Scrubber): AuthenticatedResponse {
  const out: AuthenticatedResponse = {
    ...res,
    body: scrub(res.body, { truncated: res.bodyTruncated }),
    headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [scrub(k), scrub(v)])),
  };
  if (res.error) out.error = { ...res.error, message: scrub(res.error.message) };
  if (res.authError) out.authError = { ...res.authError, message: scrub(res.authError.message), ...(res.authError.body === undefined ? {} : { body: scrub(res.authError.body) }) };
  if (res.challengeError) out.challengeError = scrub(res.challengeError);
  return out;
}
