// Credentials never reach stored attempts or logs.
const SENSITIVE = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "apikey", "x-auth-token"]);

export const REDACTED = "[redacted]";

export function redactHeaders(headers: Record<string, string>, extraSensitive: readonly string[] = []): Record<string, string> {
  const extra = new Set(extraSensitive.map((h) => h.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SENSITIVE.has(k.toLowerCase()) || extra.has(k.toLowerCase()) ? REDACTED : v]));
}
