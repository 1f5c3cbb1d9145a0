import type { AuthenticatedResponse, AuthFailure, OutboundResponse } from "@/lib/domain/attempt";
import type { GuardedHttpClient, OutboundRequest } from "@/lib/delivery/transport/http-client";
import { isSensitiveHeader, redactHeaders } from "@/lib/delivery/policy/redact";

/** What the authentication methods need of the HTTP client (GuardedHttpClient in production). */
export type HttpSender = Pick<GuardedHttpClient, "send">;

/** Sets a header, replacing any spelling of the same name (a custom header cannot double it). */
export function withHeader(req: OutboundRequest, name: string, value: string): OutboundRequest {
  const lower = name.toLowerCase();
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.toLowerCase() !== lower));
  headers[name] = value;
  return { ...req, headers };
}

/** The response together with what was sent, credentials redacted. */
export function withSent(
  res: OutboundResponse,
  sent: OutboundRequest,
  extra: { sensitiveHeaders?: readonly string[]; sentUrl?: string; authError?: AuthFailure; challengeError?: string } = {},
): AuthenticatedResponse {
  const out: AuthenticatedResponse = { ...res, sentUrl: extra.sentUrl ?? sent.url, sentHeaders: redactHeaders(sent.headers, extra.sensitiveHeaders) };
  const sensitive = isSensitiveHeader(extra.sensitiveHeaders);
  const credentials = Object.entries(sent.headers).flatMap(([k, v]) => (sensitive(k) ? [v] : []));
  Object.defineProperty(out, "sentCredentials", { value: credentials, enumerable: false });
  if (extra.authError) out.authError = extra.authError;
  if (extra.challengeError) out.challengeError = extra.challengeError;
  return out;
}

/** Replaces every occurrence of each secret in a text meant for the admin. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // A one- or two-character "secret" would blank out ordinary letters and protects nothing.
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join("[redacted]");
  return out;
}
