import { DomainError } from "@/lib/core/errors";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { AUTH_MESSAGES, emptyAuthForm, type AuthFormValues, type SecretField } from "./credentials";

// The Authentication tab's values ↔ the rule's stored credentials (AuthConfig). Secrets never go
// back to the browser: the form gets blank secret fields plus the list of secrets that are stored,
// and a blank field on save keeps the stored one.

/**
 * The configuration to store from the form's values. A blank secret keeps the stored one when
 * the stored configuration is of the same type (OAuth 2.0: also across a grant type change);
 * otherwise it is missing and a DomainError names the field (keys prefixed "auth.", where the
 * rule form nests these values).
 */
export function authConfigFromForm(form: AuthFormValues, stored: AuthConfig | null): AuthConfig {
  const missing: Record<string, string[]> = {};
  const secret = (field: SecretField, typed: string, kept: string | undefined, message: string): string => {
    if (typed) return typed;
    if (kept) return kept;
    missing[`auth.${field}`] = [message];
    return "";
  };
  const same = <T extends AuthConfig["type"]>(type: T) => (stored?.type === type ? (stored as Extract<AuthConfig, { type: T }>) : undefined);

  let config: AuthConfig;
  switch (form.type) {
    case "NONE":
      config = { type: "NONE" };
      break;
    case "BASIC":
    case "DIGEST": {
      const kept = form.type === "BASIC" ? same("BASIC") : same("DIGEST");
      config = { type: form.type, username: form.username, password: secret("password", form.password, kept?.password, AUTH_MESSAGES.password) };
      break;
    }
    case "OAUTH2": {
      const kept = same("OAUTH2");
      const password = form.grantType === "password";
      config = {
        type: "OAUTH2",
        tokenUrl: form.tokenUrl,
        grantType: form.grantType,
        clientId: form.clientId,
        clientSecret: secret("clientSecret", form.clientSecret, kept?.clientSecret, AUTH_MESSAGES.clientSecret),
        // The client credentials grant sends no user: nothing of one is stored.
        username: password ? form.username : "",
        password: password ? secret("password", form.password, kept?.password, AUTH_MESSAGES.password) : "",
        scope: form.scope,
        audience: form.audience,
        clientAuth: form.clientAuth,
      };
      break;
    }
    case "BEARER":
      config = { type: "BEARER", prefix: form.prefix, token: secret("token", form.token, same("BEARER")?.token, AUTH_MESSAGES.token) };
      break;
    case "API_KEY":
      config = { type: "API_KEY", name: form.keyName, value: secret("keyValue", form.keyValue, same("API_KEY")?.value, AUTH_MESSAGES.keyValue), in: form.keyIn };
      break;
  }
  const first = Object.values(missing)[0];
  if (first) throw new DomainError(first[0]!, missing);
  return config;
}

/** The form's values for a stored configuration, every secret blank, and which secrets are stored. */
export function authFormFromConfig(config: AuthConfig | null): { values: AuthFormValues; storedSecrets: SecretField[] } {
  const values = emptyAuthForm();
  const storedSecrets: SecretField[] = [];
  const has = (field: SecretField, value: string) => {
    if (value) storedSecrets.push(field);
  };
  if (!config) return { values, storedSecrets };
  values.type = config.type;
  switch (config.type) {
    case "NONE":
      break;
    case "BASIC":
    case "DIGEST":
      values.username = config.username;
      has("password", config.password);
      break;
    case "OAUTH2":
      Object.assign(values, {
        tokenUrl: config.tokenUrl,
        grantType: config.grantType,
        clientId: config.clientId,
        username: config.username,
        scope: config.scope,
        audience: config.audience,
        clientAuth: config.clientAuth,
      });
      has("clientSecret", config.clientSecret);
      has("password", config.password);
      break;
    case "BEARER":
      values.prefix = config.prefix;
      has("token", config.token);
      break;
    case "API_KEY":
      values.keyName = config.name;
      values.keyIn = config.in;
      has("keyValue", config.value);
      break;
  }
  return { values, storedSecrets };
}
