import { describe, expect, it } from "vitest";
import { diagnose } from "./diagnosis";

const failed = (reason: string | null = null, error: { code?: string; message?: string; field?: string } | null = null) => ({ success: false, reason, error });

describe("diagnose: HTTP answers", () => {
  it("a 2xx is a success", () => {
    expect(diagnose({ status: 200 })).toEqual({ ok: true, title: "Connected: the endpoint accepted the request", detail: "It answered 200." });
    expect(diagnose({ status: 204, verdict: { success: true, reason: null } }).ok).toBe(true);
  });

  it("the rule's verdict decides success (a 302 the rule accepts)", () => {
    expect(diagnose({ status: 302, verdict: { success: true, reason: null } })).toMatchObject({ ok: true, title: "Connected: the endpoint accepted the request" });
  });

  it("401 and 403 point at credentials and scopes", () => {
    const d401 = diagnose({ status: 401 });
    expect(d401).toMatchObject({ ok: false, title: "401 Unauthorized: verify the credentials" });
    expect(d401.detail).toMatch(/Authentication tab/);
    expect(diagnose({ status: 403 })).toMatchObject({ ok: false, title: "403 Forbidden: check the token's permissions/scopes" });
  });

  it("404, 405, 410 and 429 each say what to check", () => {
    expect(diagnose({ status: 404 }).title).toBe("404 Not Found: check the URL path");
    expect(diagnose({ status: 405 }).title).toBe("405 Method Not Allowed: check the HTTP method");
    expect(diagnose({ status: 410 }).title).toBe("410 Gone: the endpoint no longer exists");
    expect(diagnose({ status: 429 }).title).toBe("429 Too Many Requests: the endpoint is rate limiting");
  });

  it("5xx is the endpoint's server error, with the status in the detail", () => {
    for (const status of [500, 502, 503, 599]) {
      const d = diagnose({ status, verdict: failed(`Status ${status} is not a success status (2xx)`) });
      expect(d).toMatchObject({ ok: false, title: "The endpoint had a server error" });
      expect(d.detail).toContain(`It answered ${status}.`);
    }
  });

  it("other 4xx and 3xx answers", () => {
    expect(diagnose({ status: 418 })).toMatchObject({ ok: false, title: "418: the endpoint refused the request" });
    expect(diagnose({ status: 301 })).toMatchObject({ ok: false, title: "301 Redirect: redirects are not followed" });
  });

  it("shows the endpoint's own error from the error parser", () => {
    const d = diagnose({ status: 422, verdict: failed("Status 422 is not a success status (2xx)", { code: "INVALID", message: "Phone is invalid", field: "phone" }) });
    expect(d.title).toBe("422 Unprocessable: the endpoint rejected the lead's data");
    expect(d.detail).toContain("The endpoint said: INVALID: Phone is invalid (field: phone).");
  });
});

describe("diagnose: response rules", () => {
  it("a 200 failing the body condition names the check", () => {
    const reason = 'Body check failed: status is "error", expected "ok"';
    const d = diagnose({ status: 200, verdict: failed(reason, { message: "Duplicate lead" }) });
    expect(d).toMatchObject({ ok: false, title: "Body condition failed: the response does not report success" });
    expect(d.detail).toBe(`${reason}. The endpoint said: Duplicate lead.`);
  });

  it("a 2xx outside the rule's success statuses", () => {
    const d = diagnose({ status: 200, verdict: failed("Status 200 is not a success status (201)") });
    expect(d).toMatchObject({ ok: false, title: "Unexpected status: 200 is not one of the rule's success statuses" });
    expect(d.detail).toContain("(201)");
  });

  it("a failed 2xx whose reason was not kept still reads as a failure", () => {
    expect(diagnose({ status: 200, verdict: failed() })).toMatchObject({ ok: false, title: "The response did not meet the rule's success conditions" });
  });
});

describe("diagnose: no response", () => {
  const cases: [string, string][] = [
    ["dns", "DNS lookup failed: check the host name"],
    ["connection_refused", "Connection refused: nothing is listening at that address and port"],
    ["connection_reset", "Connection reset: the endpoint closed the connection before answering"],
    ["timeout", "Timed out: the endpoint did not answer in time"],
    ["tls", "TLS handshake failed: the certificate is invalid or untrusted"],
    ["protocol", "Invalid HTTP response: the endpoint did not answer with valid HTTP"],
    ["network", "Network error: the request could not be completed"],
    ["internal", "Internal error in Leadhooks: not a fault of the endpoint"],
    ["constructor", "Network error: the request could not be completed"],
    ["something_new", "Network error: the request could not be completed"],
  ];
  it.each(cases)("%s", (errorClass, title) => {
    const d = diagnose({ status: 999, errorClass, errorMessage: "client said so" });
    expect(d).toMatchObject({ ok: false, title });
    expect(d.detail.startsWith("client said so.")).toBe(true);
  });

  it("reads the client's error as a response carries it", () => {
    expect(diagnose({ status: 999, error: { class: "tls", message: "TLS error: self-signed certificate" } })).toEqual({
      ok: false,
      title: "TLS handshake failed: the certificate is invalid or untrusted",
      detail: "TLS error: self-signed certificate. The endpoint's certificate must be valid for the host name and signed by a trusted authority.",
    });
  });

  it("a configuration error: nothing was sent, the message names the setting, no retry is promised", () => {
    const message = "The token cannot be sent in an HTTP header: it contains a line break (LF). Enter it again on the Authentication tab (Bearer Token: Token)";
    const d = diagnose({ status: 999, errorClass: "config", errorMessage: message });
    expect(d.title).toBe("Configuration error: a setting of the rule cannot be sent");
    expect(d.detail).toBe(`${message}. Nothing was sent, and the delivery is not retried: fix the setting named above, then retry the delivery.`);
    expect(d.title).not.toMatch(/network/i);
  });

  it("a blocked address, and a URL refused before any lookup", () => {
    const d = diagnose({ status: 999, errorClass: "blocked", errorMessage: "Blocked: api.internal resolves to a private address (10.0.0.5)" });
    expect(d.title).toBe("Blocked: the URL resolves to a private or reserved address");
    expect(d.detail).toContain("10.0.0.5");
    expect(d.detail).toContain("ALLOWED_PRIVATE_NETWORKS");
    const http = diagnose({ status: 999, errorClass: "blocked", errorMessage: "Plain http:// URLs are not allowed; use https://" });
    expect(http).toEqual({ ok: false, title: "Blocked: the URL is not allowed", detail: "Plain http:// URLs are not allowed; use https://." });
  });

  it("a 999 is never a success, whatever the verdict says", () => {
    expect(diagnose({ status: 999, errorClass: "timeout", verdict: { success: true, reason: null } }).ok).toBe(false);
  });
});

describe("diagnose: OAuth token request", () => {
  const title = "OAuth token request failed: check the Token URL and Grant Type";

  it("includes the token endpoint's RFC 6749 error", () => {
    const d = diagnose({
      status: 999,
      errorClass: "auth",
      authError: { kind: "oauth_token", message: "The token request was refused", status: 401, body: '{"error":"invalid_client","error_description":"Client authentication failed"}' },
    });
    expect(d).toMatchObject({ ok: false, title });
    expect(d.detail).toContain("The token request was refused.");
    expect(d.detail).toContain("The token endpoint answered 401: invalid_client (Client authentication failed).");
  });

  it("shows a non-JSON token answer as an excerpt, and works from a stored attempt (class and message only)", () => {
    const d = diagnose({ status: 999, authError: { kind: "oauth_token", message: "Token request failed", status: 404, body: `<html>${"x".repeat(1000)}</html>` } });
    expect(d.title).toBe(title);
    expect(d.detail).toMatch(/answered 404: <html>x+…/);
    expect(d.detail.length).toBeLessThan(500);
    const stored = diagnose({ status: 999, errorClass: "auth", errorMessage: "DNS lookup for auth.example failed: ENOTFOUND" });
    expect(stored).toMatchObject({ ok: false, title });
    expect(stored.detail).toContain("ENOTFOUND");
  });

  it("takes precedence over the endpoint's status", () => {
    expect(diagnose({ status: 401, authError: { kind: "oauth_token", message: "Token expired and refresh failed" } }).title).toBe(title);
  });
});

it("diagnose: a Digest challenge that cannot be answered", () => {
  const d = diagnose({ status: 401, authError: { kind: "digest_challenge", message: "The server's Digest challenge cannot be answered: algorithm SHA-512-256 is not supported", status: 401 } });
  expect(d).toMatchObject({ ok: false, title: "401 Unauthorized: the endpoint's Digest challenge cannot be answered" });
  expect(d.detail).toContain("SHA-512-256 is not supported.");
});
