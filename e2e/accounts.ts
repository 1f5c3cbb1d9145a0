// The people e2e/prepare.ts seeds before the server starts: two organizations, each with an admin
// and a viewer, so specs can cover roles and cross-organization isolation.
export const PASSWORD = "password123";

export const ORGANIZATIONS = {
  acme: "Acme Legal",
  globex: "Globex Leads",
} as const;

export type OrgKey = keyof typeof ORGANIZATIONS;
export type Role = "ADMIN" | "VIEWER";

export interface Account {
  email: string;
  org: OrgKey;
  role: Role;
}

export const ACCOUNTS = {
  acmeAdmin: { email: "admin@acme.test", org: "acme", role: "ADMIN" },
  acmeViewer: { email: "viewer@acme.test", org: "acme", role: "VIEWER" },
  globexAdmin: { email: "admin@globex.test", org: "globex", role: "ADMIN" },
  globexViewer: { email: "viewer@globex.test", org: "globex", role: "VIEWER" },
} as const satisfies Record<string, Account>;

export type AccountKey = keyof typeof ACCOUNTS;

/**
 * A REST API key of each organization, seeded (hashed) by e2e/prepare.ts. Fixed values are fine:
 * the e2e database is thrown away after every run.
 */
export const API_KEYS: Record<OrgKey, string> = {
  acme: "lhk_e2eAcme0000000000000000000000000000000000",
  globex: "lhk_e2eGlobex00000000000000000000000000000000",
};
