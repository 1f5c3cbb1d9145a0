// What can go on the wire, for every rule value that ends up in a request line or header
// (credentials, key names, custom headers). The save-time schemas (auth.ts, request.ts) and the
// send-time check of what was stored before these rules existed (lib/delivery/transport/auth/check.ts)
// share these functions, so the form, the API and the sender agree. Pure.
//
// The rules are undici's, which sends the requests: a header name is an RFC 9110 token; a header
// value may hold HTAB, SP, visible ASCII and obs-text (U+0080–U+00FF, written as single Latin-1
// bytes); anything else (CR, LF, NUL, other controls, DEL, characters beyond U+00FF) makes undici
// refuse the whole request.

/** RFC 9110 §5.6.2 token: the characters of a header name (and of a safe query parameter name). */
export const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export function isHeaderName(name: string): boolean {
  return TOKEN.test(name);
}

const NAMED: Record<number, string> = { 0x0a: "a line break (LF)", 0x0d: "a line break (CR)", 0x00: "a NUL character", 0x09: "a tab", 0x7f: "a DEL control character" };

const codePoint = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

function describe(c: string): string {
  const cp = c.codePointAt(0)!;
  return NAMED[cp] ?? (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ? `a control character (${codePoint(c)})` : `"${c}" (${codePoint(c)})`);
}

/**
 * Why `value` cannot be sent as (part of) a header value, as a phrase ("contains a line break
 * (LF)"), or null when it can. `charset`:
 * - "latin1": what undici sends faithfully (custom headers: U+0080–U+00FF go out as Latin-1 bytes).
 * - "ascii": credentials compared byte for byte by the receiver (a bearer token, an API key):
 *   visible ASCII and inner spaces only, since a receiver reading the header as UTF-8 would see
 *   other bytes than the ones typed, and surrounding spaces are dropped by every HTTP parser.
 */
export function headerValueProblem(value: string, charset: "latin1" | "ascii"): string | null {
  // The common case, on every request sent: printable ASCII and nothing at either end.
  if (/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) || value === "") return null;
  for (const c of value) {
    const cp = c.codePointAt(0)!;
    if (cp === 0x09 && charset === "latin1") continue;
    if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `contains ${describe(c)}`;
    if (charset === "ascii" && cp > 0x7e) return `contains ${describe(c)}, which is not ASCII`;
    if (cp > 0xff) return `contains ${describe(c)}, which HTTP headers cannot carry (only Latin-1 characters can be sent)`;
  }
  if (charset === "ascii" && value !== value.trim()) return value.trimStart() !== value ? "starts with a space" : "ends with a space";
  return null;
}

/**
 * Why a credential that is encoded before it is sent (Basic's base64, a Digest hash, an OAuth
 * form field) cannot be used, or null. Any Unicode text encodes; control characters are never
 * part of a real credential (RFC 7617 forbids them) and are almost always a pasted line break.
 */
export function credentialProblem(value: string): string | null {
  for (const c of value) {
    const cp = c.codePointAt(0)!;
    if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return `contains ${describe(c)}`;
  }
  return null;
}
