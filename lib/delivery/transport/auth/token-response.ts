import { headerValueProblem } from "@/lib/core/http-text";

// A token endpoint's answer, read the way real servers write it rather than the way RFC 6749 §5.1
// says they should. Every difference that leaves no doubt about the token is accepted: token_type
// in any case or missing, expires_in as a string, 201 instead of 200, a JSON body labelled
// text/plain or text/javascript (or with a charset), a form-encoded body (some servers' default), extra
// fields, scope as an array. An answer that cannot be used is refused with the field at fault and
// what was expected, for Test Connection and the delivery log. Pure.

export interface TokenAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type TokenParse = { ok: true; accessToken: string; expiresIn?: number } | { ok: false; message: string };

const EXPECTED = 'expected a JSON object with "access_token" and "token_type": "Bearer"';

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`);

/** The answer's fields: JSON whatever its label, or form-encoded when it says so; else why not. */
function fields(answer: TokenAnswer): { ok: true; fields: Record<string, unknown> } | { ok: false; message: string } {
  const contentType = answer.headers["content-type"] ?? "";
  const media = contentType.split(";")[0]!.trim().toLowerCase();
  const body = answer.body.replace(/^\uFEFF/, "").trim();
  const labelled = contentType ? ` (Content-Type: ${contentType})` : "";
  if (media === "application/x-www-form-urlencoded") return { ok: true, fields: Object.fromEntries(new URLSearchParams(body)) };
  if (!body) return { ok: false, message: `the token endpoint answered ${answer.status} with an empty body; ${EXPECTED}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    if (media === "text/html" || media === "application/xhtml+xml" || /^<(!doctype|html|head|body)\b/i.test(body)) {
      return { ok: false, message: `the token endpoint answered ${answer.status} with an HTML page${labelled}, not a token response: check the Token URL (${EXPECTED})` };
    }
    return { ok: false, message: `the token endpoint's answer${labelled} is not JSON; ${EXPECTED}` };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, message: `the token endpoint answered with ${kind(parsed)}; ${EXPECTED}` };
  return { ok: true, fields: parsed as Record<string, unknown> };
}

/** expires_in as seconds: a number or a numeric string; anything else is ignored (the default lifetime applies). */
function expiresIn(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === "string" && /^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return undefined;
}

export function parseTokenResponse(answer: TokenAnswer): TokenParse {
  const read = fields(answer);
  if (!read.ok) return read;
  const f = read.fields;
  // RFC 6749 §5.2: an error answer, whatever its status (some endpoints say 200).
  if (typeof f.error === "string" && f.error) {
    return { ok: false, message: typeof f.error_description === "string" && f.error_description ? `${f.error}: ${f.error_description}` : f.error };
  }
  if (answer.status < 200 || answer.status > 299) {
    if (answer.status === 401) return { ok: false, message: "the token endpoint refused the client's credentials (check the Client ID, Client Secret and client authentication)" };
    return { ok: false, message: `the token endpoint answered ${answer.status} without an OAuth error` };
  }
  if (!("access_token" in f)) {
    const names = Object.keys(f).slice(0, 10).map((k) => JSON.stringify(k)).join(", ");
    return { ok: false, message: `the token response has no "access_token" field (it has: ${names || "no fields"}); ${EXPECTED}` };
  }
  const token = f.access_token;
  if (typeof token !== "string" || !token) return { ok: false, message: `"access_token" in the token response is ${typeof token === "string" ? "empty" : kind(token)}; expected a non-empty string` };
  const problem = headerValueProblem(token, "ascii");
  if (problem) return { ok: false, message: `"access_token" in the token response ${problem}, so it cannot be sent in an Authorization header` };
  const type = f.token_type;
  // A missing token_type is read as Bearer: the token is not bound to anything else.
  if (type !== undefined && type !== null) {
    if (typeof type !== "string") return { ok: false, message: `"token_type" in the token response is ${kind(type)}; expected "Bearer"` };
    if (type.trim().toLowerCase() !== "bearer") {
      return { ok: false, message: `"token_type" in the token response is ${JSON.stringify(type)}; only "Bearer" tokens can be sent (a ${JSON.stringify(type)} token needs a proof Leadhooks does not make)` };
    }
  }
  const expires = expiresIn(f.expires_in);
  return expires === undefined ? { ok: true, accessToken: token } : { ok: true, accessToken: token, expiresIn: expires };
}
