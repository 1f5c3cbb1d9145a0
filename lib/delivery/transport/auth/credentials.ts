import { AUTH_TYPES, storedAuthSchema, type AuthConfig, type AuthTypeValue } from "@/lib/domain/rule/auth";
import { decryptSecret, encryptSecret } from "@/lib/security/crypto";

// A rule's stored credentials: the JSON of storedAuthSchema (lib/domain/rule/auth.ts), encrypted
// (AES-256-GCM) in WebhookRule.authConfigEncrypted with the type also in WebhookRule.authType.
// The rule form maps its values to and from it (its credentials-mapping.ts).

/** The stored authentication cannot be read: the key changed, or the value is damaged. */
export class StoredAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StoredAuthError";
  }
}

const typeLabel = (type: AuthTypeValue) => AUTH_TYPES.find((t) => t.value === type)?.label ?? type;

/** The encrypted JSON to store, or null for no authentication. */
export function encryptAuthConfig(config: AuthConfig, secret?: string): string | null {
  if (config.type === "NONE") return null;
  return encryptSecret(JSON.stringify(storedAuthSchema.parse(config)), secret);
}

/** The stored configuration. Throws StoredAuthError (never showing the value) when it cannot be read. */
export function decryptAuthConfig(type: AuthTypeValue, stored: string | null, secret?: string): AuthConfig {
  if (type === "NONE") return { type: "NONE" };
  const label = typeLabel(type);
  if (!stored) throw new StoredAuthError(`The rule's ${label} credentials are missing: enter them again on the Authentication tab.`);
  let json: string;
  try {
    json = decryptSecret(stored, secret);
  } catch {
    throw new StoredAuthError(`The rule's ${label} credentials cannot be decrypted (was APP_SECRET_KEY changed?): enter them again on the Authentication tab.`);
  }
  let parsed;
  try {
    parsed = storedAuthSchema.safeParse(JSON.parse(json));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success || parsed.data.type !== type) {
    throw new StoredAuthError(`The rule's stored ${label} credentials are damaged: enter them again on the Authentication tab.`);
  }
  return parsed.data;
}
