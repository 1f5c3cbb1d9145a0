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
