import { z } from "zod";
import { API_KEY_LOCATION_VALUES, AUTH_TYPE_VALUES, OAUTH_CLIENT_AUTH_VALUES, OAUTH_GRANT_TYPE_VALUES } from "@/lib/domain/rule/auth";
import { authWireProblems } from "@/lib/domain/rule/auth-wire";

// A rule's authentication as the Authentication tab edits it; what is stored is the rule's
// AuthConfig (lib/domain/rule/auth.ts), and credentials-mapping.ts converts one to the other.
//
// The form never receives a stored secret. Secret inputs start blank; blank means "keep what is
// stored" (credentials-mapping.ts merges), so the four secret fields may be blank here and the
// mutation reports a missing one.

export const OAUTH_GRANT_TYPES = [
  { value: "client_credentials", label: "Client Credentials" },
  { value: "password", label: "Password" },
] as const;

export const OAUTH_CLIENT_AUTH = [
  { value: "basic", label: "Basic header (client_secret_basic)" },
  { value: "body", label: "In the request body (client_secret_post)" },
] as const;

export const API_KEY_LOCATIONS = [
  { value: "header", label: "Header" },
  { value: "query", label: "Query parameter" },
] as const;

/** The form fields that hold secrets: never sent to the browser, blank keeps the stored value. */
export const SECRET_FIELDS = ["password", "clientSecret", "token", "keyValue"] as const;
export type SecretField = (typeof SECRET_FIELDS)[number];

export const AUTH_MESSAGES = {
  type: "Choose an authentication type.",
  username: "Enter the username.",
  password: "Enter the password.",
  tokenUrl: "Enter the token URL, such as https://auth.example.com/oauth/token.",
  grantType: "Choose a grant type.",
  clientId: "Enter the client ID.",
  clientSecret: "Enter the client secret.",
  token: "Enter the token.",
  prefix: "Use letters, digits, - and _ only (e.g. Bearer, Token), or leave it blank.",
  keyName: "Enter the key name: a header or query parameter name (letters, digits, - and _).",
  keyValue: "Enter the key value.",
  tooLong: "Use at most 2,000 characters.",
} as const;

const text = (max = 2000) => z.string().max(max, AUTH_MESSAGES.tooLong).default("");
const NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/; // an HTTP header token; also fine as a query name

/** The Authentication tab's values. Every field is always present (react-hook-form). */
export const authFormSchema = z
  .object({
    type: z.enum(AUTH_TYPE_VALUES, { error: AUTH_MESSAGES.type }).default("NONE"),
    username: text(500).transform((v) => v.trim()),
    password: text(),
    tokenUrl: text().transform((v) => v.trim()),
    grantType: z.enum(OAUTH_GRANT_TYPE_VALUES, { error: AUTH_MESSAGES.grantType }).default("client_credentials"),
    clientId: text(500).transform((v) => v.trim()),
    clientSecret: text(),
    scope: text(1000).transform((v) => v.trim()),
    audience: text(1000).transform((v) => v.trim()),
    clientAuth: z.enum(OAUTH_CLIENT_AUTH_VALUES).default("basic"),
    prefix: text(50).transform((v) => v.trim()),
    token: text(8000),
    keyName: text(200).transform((v) => v.trim()),
    keyValue: text(),
    keyIn: z.enum(API_KEY_LOCATION_VALUES).default("header"),
  })
  .superRefine((a, ctx) => {
    const need = (field: keyof typeof a, message: string) => {
      if (!String(a[field]).trim()) ctx.addIssue({ code: "custom", path: [field], message });
    };
    if (a.type === "BASIC" || a.type === "DIGEST") need("username", AUTH_MESSAGES.username);
    if (a.type === "OAUTH2") {
      // Its form and destination are checked with the rule's other outbound URLs (OUTBOUND_URL_FIELDS).
      need("tokenUrl", AUTH_MESSAGES.tokenUrl);
      need("clientId", AUTH_MESSAGES.clientId);
      if (a.grantType === "password") need("username", AUTH_MESSAGES.username);
    }
    if (a.type === "BEARER" && a.prefix && !/^[A-Za-z0-9_-]+$/.test(a.prefix)) ctx.addIssue({ code: "custom", path: ["prefix"], message: AUTH_MESSAGES.prefix });
    if (a.type === "API_KEY" && !NAME.test(a.keyName)) ctx.addIssue({ code: "custom", path: ["keyName"], message: AUTH_MESSAGES.keyName });
    // Every value that goes into the request as it is sent (lib/domain/rule/auth-wire.ts).
    for (const p of authWireProblems(a)) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
  });

export type AuthFormInput = z.input<typeof authFormSchema>;
export type AuthFormValues = z.output<typeof authFormSchema>;

export function emptyAuthForm(): AuthFormValues {
  return {
    type: "NONE", username: "", password: "", tokenUrl: "", grantType: "client_credentials", clientId: "", clientSecret: "",
    scope: "", audience: "", clientAuth: "basic", prefix: "Bearer", token: "", keyName: "X-API-Key", keyValue: "", keyIn: "header",
  };
}
