// What one attempt got back, as the transport hands it over and the policies judge it: the
// response (or why none came), the request as finally sent, and the auth layer's failure. Types, and the class of our own faults.

/**
 * Why no response came (the class lib/delivery/transport/http-client.ts gives it).
 * "config": Leadhooks could not build the request from the rule's settings (a header value undici
 * refuses, say): nothing was sent, and retrying cannot help. "internal": a fault of Leadhooks's own
 * while sending (it says nothing of the endpoint; retried).
 */
export type ErrorClass = "blocked" | "dns" | "connection_refused" | "connection_reset" | "timeout" | "tls" | "protocol" | "network" | "auth" | "config" | "internal";

/** The class of a fault of Leadhooks's own while sending: held against neither the rule nor its endpoint. */
export const INTERNAL_ERROR = "internal" satisfies ErrorClass;

/**
 * The auth layer's failure (lib/delivery/transport/auth), for the admin: the OAuth token request
 * (the token endpoint's own answer, or the guard's refusal), or a Digest challenge that cannot be
 * answered. Never holds a secret or an access token.
 */
export interface AuthFailure {
  kind: "oauth_token" | "digest_challenge";
  message: string;
  /** The endpoint's HTTP status, when it answered. */
  status?: number;
  /** An excerpt of the token endpoint's answer, tokens and secrets redacted. */
  body?: string;
  /** When the token request got no answer: why (the guarded client's class, e.g. "blocked"). */
  errorClass?: ErrorClass;
}

/** The guarded HTTP client's answer. */
export interface OutboundResponse {
  /** HTTP status, or 999 when no response came. */
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated: boolean;
  durationMs: number;
  error?: { class: ErrorClass; message: string };
}

/** The answer once the rule's authentication was applied. */
export interface AuthenticatedResponse extends OutboundResponse {
  /** The URL as finally sent, with an API key query value replaced by "[redacted]". */
  sentUrl: string;
  /** The headers as finally sent, credentials redacted. */
  sentHeaders: Record<string, string>;
  /** Set when the OAuth token request failed: nothing was sent to the endpoint (status 999). */
  authError?: AuthFailure;
  /**
   * The credential header values as sent (an Authorization header with an OAuth access token or a
   * Digest answer, an API key), so that lib/delivery/transport/secrets.ts can scrub them from what the
   * receiver echoes. Not enumerable: never serialized, stored or spread into another object.
   */
  readonly sentCredentials?: readonly string[];
  /**
   * Set on a 401 whose Digest challenge could not be answered (e.g. only qop=auth-int, an unknown
   * algorithm, or no Digest challenge at all): the credentials were never tried.
   */
  challengeError?: string;
}
