// Runs before `next start` (see playwright.config.ts): a fresh, migrated PGlite database with the
// accounts of e2e/accounts.ts. It must close the database before the server starts: PGlite allows
// one process per data directory (lib/db/lock.ts).
import { rmSync } from "node:fs";
import { hashPassword } from "@/lib/auth/password";
import { openDatabase } from "@/lib/db";
import { parseDatabaseUrl } from "@/lib/db/driver";
import { newId } from "@/lib/core/ids";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";
import { hashApiKey } from "@/lib/api/keys";
import { ACCOUNTS, API_KEYS, ORGANIZATIONS, PASSWORD, type OrgKey } from "./accounts";

const url = process.env.DATABASE_URL ?? "";
const target = parseDatabaseUrl(url);
if (target.kind !== "pglite" || !target.dataDir) throw new Error(`e2e/prepare.ts expects DATABASE_URL=pglite:<dir>, got "${url}"`);
rmSync(target.dataDir, { recursive: true, force: true });

const database = await openDatabase(url, "e2e-prepare");
try {
  const orgIds = {} as Record<OrgKey, string>;
  for (const account of Object.values(ACCOUNTS).filter((a) => a.role === "ADMIN")) {
    const { organization } = await createOrganizationWithAdmin(database.prisma, { organizationName: ORGANIZATIONS[account.org], email: account.email, password: PASSWORD });
    orgIds[account.org] = organization.id;
  }
  const passwordHash = await hashPassword(PASSWORD);
  for (const account of Object.values(ACCOUNTS).filter((a) => a.role === "VIEWER")) {
    await database.prisma.user.create({ data: { id: newId("usr"), organizationId: orgIds[account.org], email: account.email, passwordHash, role: "VIEWER" } });
  }
  for (const [org, key] of Object.entries(API_KEYS) as [OrgKey, string][]) {
    await database.prisma.apiKey.create({ data: { id: newId("key"), organizationId: orgIds[org], name: "e2e", prefix: key.slice(0, 12), keyHash: hashApiKey(key) } });
  }
  console.log(`e2e: seeded ${Object.keys(ACCOUNTS).length} accounts in ${target.dataDir}`);
} finally {
  await database.close();
}
