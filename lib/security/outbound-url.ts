// The rules every URL Leadhooks calls must meet before any network activity: the webhook URL, the
// time window's alternate URL, the OAuth token URL, and any URL field added later. The rule form
// (in the browser and on the server), the API and the HTTP client at send time all ask this one
// function, so a URL is refused for the same reason, in the same words, wherever it is entered.
// Pure: it runs in the browser too. Where the host's addresses may go is judged separately
// (addresses.ts), after DNS on the server.

export const OUTBOUND_URL_MAX = 2048;

export const OUTBOUND_URL_MESSAGES = {
  whitespace: "The URL cannot contain spaces or control characters.",
  invalid: "Enter an absolute URL such as https://example.com/webhooks.",
  protocol: "Use an https:// URL.",
  insecure: "Plain http:// URLs are not allowed; use https:// (a server started with ALLOW_INSECURE_URLS=true allows http:// for local development).",
  template: "Close each template variable with }}, e.g. https://api.example.com/{{ lead.office }}/leads.",
  noTemplate: "This URL is sent as written: remove the {{ }} template syntax.",
  credentials: "Remove the user name and password from the URL; set credentials under Authentication instead.",
  port: "Use a port from 1 to 65535, or none for the scheme's default.",
} as const;

export type UrlShapeReason = "invalid_url" | "scheme" | "credentials" | "port";

export interface UrlShapeProblem {
  reason: UrlShapeReason;
  message: string;
}

export interface UrlShapeOptions {
  /** ALLOW_INSECURE_URLS: plain http:// is accepted (local development). */
  allowInsecure: boolean;
  /**
   * "allowed": the URL may hold {{ … }} template variables, rendered per lead (their shape is
   * checked here); "refused": it is sent as written, so template syntax is a mistake; unset: an
   * already rendered URL (send time).
   */
  template?: "allowed" | "refused";
}

const TEMPLATE_PART = /\{\{[^{}]*\}\}/g;
// scheme://[userinfo@]host:port — to tell a port out of range from another parse failure.
const PORT_PART = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?(?:\[[^\]]*\]|[^/?#:]*):(\d+)(?:[/?#]|$)/i;

const problem = (reason: UrlShapeReason, key: keyof typeof OUTBOUND_URL_MESSAGES): UrlShapeProblem => ({ reason, message: OUTBOUND_URL_MESSAGES[key] });

/**
 * Null when the URL may be called as far as its form goes: absolute, https (http only when
 * allowed), no user name or password, a port from 1 to 65535. The messages never repeat the URL,
 * which may hold a password.
 */
export function urlShapeProblem(raw: string, options: UrlShapeOptions): UrlShapeProblem | null {
  let shape = raw;
  if (options.template === "allowed") {
    // A template's {{ … }} parts are rendered per lead (URL-encoded); each stands in as one
    // path-safe word here, and the rendered URL is checked again at send time.
    shape = raw.replace(TEMPLATE_PART, "x");
    if (/\{\{|\{%/.test(shape)) return problem("invalid_url", "template");
  } else if (options.template === "refused" && /\{\{[\s\S]*\}\}|\{%/.test(raw)) {
    return problem("invalid_url", "noTemplate");
  }
  // URL parsing silently drops tabs and newlines; refuse them so what is stored is what is sent.
  if (/[\s\u0000-\u001f\u007f]/.test(shape)) return problem("invalid_url", "whitespace");
  let url: URL;
  try {
    url = new URL(shape);
  } catch {
    const port = PORT_PART.exec(shape)?.[1];
    return port !== undefined && Number(port) > 65535 ? problem("port", "port") : problem("invalid_url", "invalid");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return problem("scheme", "protocol");
  if (!url.hostname) return problem("invalid_url", "invalid");
  if (url.username || url.password) return problem("credentials", "credentials");
  if (url.port === "0") return problem("port", "port");
  if (url.protocol === "http:" && !options.allowInsecure) return problem("scheme", "insecure");
  return null;
}

/**
 * The URL with any user name and password removed, for showing a URL that was stored before such
 * URLs were refused. Works on the text (a template's {{ }} must not be re-encoded): everything
 * between the scheme and the last "@" of the authority goes. It reads the text as a URL parser
 * does: leading controls and spaces are skipped, and tabs and line breaks anywhere are ignored
 * (the parser drops them), so "ht\ttps://u:pw@host" loses its password too.
 */
export function withoutCredentials(raw: string): string {
  return raw.replace(/^([\u0000-\u0020]*[a-z][a-z0-9+.\t\n\r-]*:[\\/\t\n\r]*)[^/?#\\]*@/i, "$1");
}
