import { z } from "zod";

// A rule's authentication as stored: the JSON of storedAuthSchema, encrypted in
// WebhookRule.authConfigEncrypted (lib/delivery/transport/auth/credentials.ts), with the type also
// in WebhookRule.authType. Only the fields the type uses are kept, secrets in full.

export const AUTH_TYPES = [
  { value: "NONE", label: "None" },
  { value: "BASIC", label: "Basic" },
  { value: "DIGEST", label: "Digest" },
  { value: "OAUTH2", label: "OAuth 2.0" },
  { value: "BEARER", label: "Bearer Token" },
  { value: "API_KEY", label: "API Key" },
] as const;

export type AuthTypeValue = (typeof AUTH_TYPES)[number]["value"];
export const AUTH_TYPE_VALUES = AUTH_TYPES.map((t) => t.value) as [AuthTypeValue, ...AuthTypeValue[]];

export const OAUTH_GRANT_TYPE_VALUES = ["client_credentials", "password"] as const;
export const OAUTH_CLIENT_AUTH_VALUES = ["basic", "body"] as const;
export const API_KEY_LOCATION_VALUES = ["header", "query"] as const;

export const storedAuthSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("NONE") }),
  z.object({ type: z.literal("BASIC"), username: z.string(), password: z.string() }),
  z.object({ type: z.literal("DIGEST"), username: z.string(), password: z.string() }),
  z.object({
    type: z.literal("OAUTH2"),
    tokenUrl: z.string(),
    grantType: z.enum(OAUTH_GRANT_TYPE_VALUES),
    clientId: z.string(),
    clientSecret: z.string(),
    username: z.string().default(""),
    password: z.string().default(""),
    scope: z.string().default(""),
    audience: z.string().default(""),
    clientAuth: z.enum(OAUTH_CLIENT_AUTH_VALUES).default("basic"),
  }),
  z.object({ type: z.literal("BEARER"), prefix: z.string(), token: z.string() }),
  z.object({ type: z.literal("API_KEY"), name: z.string(), value: z.string(), in: z.enum(API_KEY_LOCATION_VALUES) }),
]);

export type AuthConfig = z.output<typeof storedAuthSchema>;
