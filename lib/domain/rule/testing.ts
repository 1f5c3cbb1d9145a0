import type { AuthConfig } from "./auth";

// Fixtures shared by unit tests (not imported by product code).

/** One stored configuration of each type with credentials, each secret distinct. */
export const testAuthConfigs: AuthConfig[] = [
  { type: "BASIC", username: "amy", password: "basic-pw" },
  { type: "DIGEST", username: "amy", password: "digest-pw" },
  { type: "OAUTH2", tokenUrl: "https://auth.example.com/token", grantType: "password", clientId: "c1", clientSecret: "cs-1-secret", username: "amy", password: "oauth-pw", scope: "a b", audience: "api", clientAuth: "body" },
  { type: "BEARER", prefix: "", token: "bearer-token" },
  { type: "API_KEY", name: "X-Key", value: "api-key-value", in: "query" },
];
