import type { AuthConfig } from "@/lib/domain/rule/auth";
import { authWireProblems } from "@/lib/domain/rule/auth-wire";
import { isHeaderName } from "@/lib/core/http-text";

// The stored authentication, checked the way the Authentication tab checks it at save, before
// anything is sent: a configuration saved before those checks existed (a bearer token ending in
// a line break, say) fails as a configuration error naming the setting, instead of undici
// refusing the request as an unexplained "network" failure that is retried for hours.

const TYPE_NAMES: Record<AuthConfig["type"], string> = { NONE: "", BASIC: "Basic", DIGEST: "Digest", OAUTH2: "OAuth 2.0", BEARER: "Bearer Token", API_KEY: "API Key" };

/** Why this configuration cannot be sent, for the admin, or null. Never quotes a secret. */
export function authConfigProblem(auth: AuthConfig): string | null {
  const where = (label: string) => `on the Authentication tab (${TYPE_NAMES[auth.type]}: ${label})`;
  if (auth.type === "BEARER" && auth.prefix.trim() && !isHeaderName(auth.prefix.trim())) {
    return `The bearer prefix cannot be sent in an HTTP header: use letters, digits, - and _ only. Fix it ${where("Prefix")}`;
  }
  // A query parameter name is percent-encoded on the way; a header name goes as it is.
  if (auth.type === "API_KEY" && (auth.in === "header" ? !isHeaderName(auth.name) : !auth.name)) {
    return `The API key name is not a valid ${auth.in} name. Fix it ${where("Key name")}`;
  }
  const fields =
    auth.type === "API_KEY" ? { type: auth.type, keyName: auth.name, keyValue: auth.value, keyIn: auth.in } : auth.type === "NONE" ? { type: auth.type } : auth;
  const [first] = authWireProblems(fields);
  return first ? `${first.message.replace(/\.$/, "")}. Enter it again ${where(first.label)}` : null;
}
