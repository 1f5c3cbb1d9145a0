// Credentials never reach stored attempts or logs.
const SENSITIVE = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey", "x-auth-token"]);

export const REDACTED = "[redacted]";

export function redactHeaders(headers: Record<string, string>, extraSensitive: readonly string[] = []): Record<string, string> {
  const sensitive = isSensitiveHeader(extraSensitive);
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, sensitive(k) ? REDACTED : v]));
}

/** Whether a header carries a credential: the usual names, plus the rule's own (an API key's header). */
export function isSensitiveHeader(extraSensitive: readonly string[] = []): (name: string) => boolean {
  const extra = new Set(extraSensitive.map((h) => h.toLowerCase()));
  return (name) => SENSITIVE.has(name.toLowerCase()) || extra.has(name.toLowerCase());
}
