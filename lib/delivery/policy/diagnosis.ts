import type { AuthFailure, ErrorClass } from "@/lib/domain/attempt";
import type { ParsedErrorValues, ResponseVerdict } from "./response";

// One attempt's outcome in plain language, for Test Connection and beside a failed attempt in the
// delivery log: a title that says what happened and what to check, and a detail with the evidence
// (the client's error, the endpoint's own error, the token endpoint's answer). Pure.

export interface DiagnosisInput {
  /** HTTP status, 999 when no response came. */
  status: number;
  /** The client's error class; "auth" when the auth layer failed (stored as text on attempts). */
  errorClass?: ErrorClass | "auth" | (string & {}) | null;
  errorMessage?: string | null;
  /** The client's error as a response carries it; the same as errorClass + errorMessage. */
  error?: { class: ErrorClass | (string & {}); message: string } | null;
  authError?: AuthFailure | null;
  /** The Response tab's verdict; without one, success is a 2xx. */
  verdict?: (Pick<ResponseVerdict, "success" | "reason"> & { error?: ParsedErrorValues | null }) | null;
}

export interface Diagnosis {
  ok: boolean;
  title: string;
  detail: string;
}

const EXCERPT_CHARS = 300;

function excerpt(text: string): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > EXCERPT_CHARS ? `${t.slice(0, EXCERPT_CHARS)}…` : t;
}

function sentence(text: string | null | undefined): string {
  const t = (text ?? "").trim();
  if (!t) return "";
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

const join = (...parts: (string | null | undefined)[]) => parts.map(sentence).filter(Boolean).join(" ");

/** The endpoint's own error (from the error parser) as "It said: code E1: message (field: email)." */
function endpointSaid(error: ParsedErrorValues | null | undefined): string {
  if (!error) return "";
  const head = [error.code, error.message].filter(Boolean).join(": ");
  const field = error.field ? `${head ? " " : ""}(field: ${error.field})` : "";
  return head || field ? `The endpoint said: ${head}${field}` : "";
}

/** RFC 6749 §5.2 errors ({"error": "invalid_client", "error_description": "…"}), else an excerpt. */
function tokenEndpointAnswer(body: string | undefined): string {
  if (!body?.trim()) return "";
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    if (typeof parsed.error === "string") {
      return typeof parsed.error_description === "string" ? `${parsed.error} (${excerpt(parsed.error_description)})` : parsed.error;
    }
  } catch {
    // not JSON: shown as received
  }
  return excerpt(body);
}

function oauthFailure(auth: AuthFailure | null | undefined, message: string | null | undefined): Diagnosis {
  const answer = tokenEndpointAnswer(auth?.body);
  const status = auth?.status ? `The token endpoint answered ${auth.status}${answer ? `: ${answer}` : ""}` : answer ? `The token endpoint answered: ${answer}` : "";
  const detail = join(auth?.message ?? message, status, "Check the Token URL, Grant Type, client ID and secret, and the scope");
  return { ok: false, title: "OAuth token request failed: check the Token URL and Grant Type", detail };
}

/** Classes of failure with no HTTP response ("auth" is handled before: it names the token request). */
type NoResponseClass = Exclude<ErrorClass, "auth">;

function digestFailure(auth: AuthFailure): Diagnosis {
  const status = auth.status ?? 401;
  return {
    ok: false,
    title: `${status} Unauthorized: the endpoint's Digest challenge cannot be answered`,
    detail: join(auth.message, "Digest is answered with MD5 or SHA-256 and qop=auth; check that the endpoint uses Digest and not another authentication type"),
  };
}

const NO_RESPONSE: Record<NoResponseClass, { title: string; advice: string }> = {
  blocked: {
    title: "Blocked: the URL resolves to a private or reserved address",
    advice: "Webhooks are not sent to private, loopback, link-local or metadata addresses. An endpoint on your own network needs its range in ALLOWED_PRIVATE_NETWORKS",
  },
  dns: { title: "DNS lookup failed: check the host name", advice: "The host name in the URL does not resolve to an address" },
  connection_refused: {
    title: "Connection refused: nothing is listening at that address and port",
    advice: "Check the host and port in the URL, and that the endpoint is running",
  },
  connection_reset: {
    title: "Connection reset: the endpoint closed the connection before answering",
    advice: "The endpoint or a proxy in front of it dropped the request; check its logs",
  },
  timeout: {
    title: "Timed out: the endpoint did not answer in time",
    advice: "The endpoint may be slow or unreachable through a firewall. Raise the rule's timeout if it is just slow",
  },
  tls: {
    title: "TLS handshake failed: the certificate is invalid or untrusted",
    advice: "The endpoint's certificate must be valid for the host name and signed by a trusted authority",
  },
  protocol: { title: "Invalid HTTP response: the endpoint did not answer with valid HTTP", advice: "Check that the URL points at an HTTP(S) service" },
  network: { title: "Network error: the request could not be completed", advice: "" },
  config: {
    title: "Configuration error: a setting of the rule cannot be sent",
    advice: "Nothing was sent, and the delivery is not retried: fix the setting named above, then retry the delivery",
  },
  internal: {
    title: "Internal error in Leadhooks: not a fault of the endpoint",
    advice: "The delivery is retried on its schedule. If this repeats, report it to your Leadhooks operator with the message above",
  },
};

function noResponse(errorClass: string | null | undefined, message: string | null | undefined): Diagnosis {
  const known = errorClass && Object.hasOwn(NO_RESPONSE, errorClass) ? NO_RESPONSE[errorClass as NoResponseClass] : NO_RESPONSE.network;
  // "blocked" also covers URLs refused before any lookup (http://, credentials in the URL): then
  // the client's message is the diagnosis.
  if (errorClass === "blocked" && message && !message.startsWith("Blocked:")) {
    return { ok: false, title: "Blocked: the URL is not allowed", detail: sentence(message) };
  }
  return { ok: false, title: known.title, detail: join(message, known.advice) };
}

const CLIENT_ERRORS: Record<number, { title: string; advice: string }> = {
  400: { title: "400 Bad Request: the endpoint rejected the payload", advice: "Check the field mappings and payload format against the endpoint's documentation" },
  401: { title: "401 Unauthorized: verify the credentials", advice: "The endpoint refused the credentials sent. Check the Authentication tab" },
  403: {
    title: "403 Forbidden: check the token's permissions/scopes",
    advice: "The credentials were accepted but are not allowed to do this. Check the scopes or permissions granted to them",
  },
  404: { title: "404 Not Found: check the URL path", advice: "The host answered, but nothing is at that path" },
  405: { title: "405 Method Not Allowed: check the HTTP method", advice: "The endpoint does not accept this method at this URL (e.g. it wants POST, not PUT)" },
  408: { title: "408 Request Timeout: the endpoint gave up waiting for the request", advice: "Deliveries are retried per the retry policy" },
  410: { title: "410 Gone: the endpoint no longer exists", advice: "The receiver removed this URL; ask its owner for the new one" },
  413: { title: "413 Payload Too Large: the endpoint refused the body's size", advice: "Map fewer fields or ask the receiver to raise its limit" },
  415: { title: "415 Unsupported Media Type: check the payload format", advice: "The endpoint does not accept this Content-Type; pick the format it expects" },
  422: { title: "422 Unprocessable: the endpoint rejected the lead's data", advice: "Check the field mappings against the endpoint's required fields" },
  429: { title: "429 Too Many Requests: the endpoint is rate limiting", advice: "Deliveries are retried per the retry policy; slow down or ask for a higher limit" },
};

function byStatus(status: number, verdict: DiagnosisInput["verdict"]): Diagnosis {
  const said = endpointSaid(verdict?.error);
  const known = CLIENT_ERRORS[status];
  if (known) return { ok: false, title: known.title, detail: join(known.advice, said) };
  if (status >= 500 && status <= 599) {
    return { ok: false, title: "The endpoint had a server error", detail: join(`It answered ${status}`, said, "The problem is on the receiving side; deliveries are retried per the retry policy") };
  }
  if (status >= 300 && status <= 399) {
    return { ok: false, title: `${status} Redirect: redirects are not followed`, detail: "Use the final URL the endpoint redirects to (often https:// or a trailing slash)." };
  }
  if (status >= 400 && status <= 499) {
    return { ok: false, title: `${status}: the endpoint refused the request`, detail: join(said, "Check the URL, credentials and payload") };
  }
  return { ok: false, title: `Unexpected status ${status}`, detail: join(verdict?.reason, said) };
}

/** What an attempt's outcome means and what to check. */
export function diagnose(outcome: DiagnosisInput): Diagnosis {
  const { status, authError, verdict } = outcome;
  const errorClass = outcome.errorClass ?? outcome.error?.class ?? null;
  const errorMessage = outcome.errorMessage ?? outcome.error?.message ?? null;
  if (authError?.kind === "digest_challenge") return digestFailure(authError);
  if (authError || errorClass === "auth") return oauthFailure(authError, errorMessage);
  if (status === 999 || (errorClass && status < 100)) return noResponse(errorClass, errorMessage);

  const success = verdict ? verdict.success : status >= 200 && status <= 299;
  if (success) return { ok: true, title: "Connected: the endpoint accepted the request", detail: `It answered ${status}.` };

  // A success status that the Response tab still refused: its body condition or its status list.
  if (verdict?.reason?.startsWith("Body check failed")) {
    return { ok: false, title: "Body condition failed: the response does not report success", detail: join(verdict.reason, endpointSaid(verdict.error)) };
  }
  if (status >= 200 && status <= 299) {
    if (verdict?.reason?.includes("not a success status")) {
      return { ok: false, title: `Unexpected status: ${status} is not one of the rule's success statuses`, detail: join(verdict.reason, "Change the success statuses on the Response tab if this answer means success") };
    }
    // A stored attempt may have lost its reason: only the delivery keeps the latest one.
    return { ok: false, title: "The response did not meet the rule's success conditions", detail: join(verdict?.reason, endpointSaid(verdict?.error), "See the Response tab's success statuses and body condition") };
  }
  return byStatus(status, verdict);
}
