import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, setDatabase, type Database } from "@/lib/db";
import { openPglite, pgliteDriver } from "@/lib/db/driver";
import { applyMigrations, readMigrations } from "@/lib/db/migrate";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { hashPassword } from "@/lib/auth/password";
import { newId } from "@/lib/core/ids";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";
import { notificationsSettled } from "@/lib/notifications/send";
import { createScratchDatabase } from "@/scripts/pg-cluster.mjs";

// Its package.json is not among its exports: read from node_modules (tests run from the repository).
const pgliteVersion = (JSON.parse(readFileSync(path.join("node_modules", "@electric-sql", "pglite", "package.json"), "utf8")) as { version: string }).version;

export const TEST_DATABASE = (process.env.TEST_DATABASE ?? "pglite") as "pglite" | "postgres";

/**
 * A fresh, migrated database: PGlite in memory, or a new database on the test PostgreSQL cluster.
 * Its close() first lets the notifications a dispatch started finish, as a process stopping its
 * delivery role does (stopDeliveryRole): a run closed under would wait forever for a connection
 * of the ended pool, and the next file's start with it (30 s, the setup's limit).
 */
export async function freshDatabase(): Promise<Database & { url: string }> {
  const settledFirst = (handle: Database, url: string) => ({
    ...handle,
    url,
    close: async () => {
      await notificationsSettled();
      await handle.close();
    },
  });
  if (TEST_DATABASE === "postgres") {
    const admin = process.env.TEST_POSTGRES_URL;
    if (!admin) throw new Error("TEST_DATABASE=postgres needs TEST_POSTGRES_URL (scripts/test.mjs starts a cluster and sets it)");
    const { url } = await createScratchDatabase(admin, "t");
    return settledFirst(await openDatabase(url, "test"), url);
  }
  return settledFirst(await openDatabase("pglite:memory", "test", { template: await migratedTemplate() }), "pglite:memory");
}

/**
 * A migrated, empty PGlite data directory, dumped once per set of migrations into the temporary
 * directory: every test file's in-memory database starts from it, which skips creating a cluster
 * (several seconds each) and applying the migrations. Written whole and renamed into place, so
 * test workers starting together never read a partial file.
 */
async function migratedTemplate(): Promise<Blob> {
  const hash = createHash("sha256").update(pgliteVersion);
  for (const m of readMigrations()) hash.update(m.name).update(m.checksum);
  const file = path.join(tmpdir(), `leadhooks-pglite-template-${hash.digest("hex").slice(0, 16)}.tar`);
  if (!existsSync(file)) {
    const pglite = await openPglite(null);
    try {
      await applyMigrations(pgliteDriver(pglite));
      const dump = await pglite.dumpDataDir("none");
      const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
      writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
      renameSync(partial, file);
    } finally {
      await pglite.close();
    }
  }
  return new Blob([readFileSync(file)]);
}

/**
 * Gives the test file its own database, installed as the process's database so server actions
 * and queries use it. Returns a getter valid inside tests.
 */
export function useTestDatabase(): () => PrismaClient {
  let handle: Database | undefined;
  beforeAll(async () => {
    handle = await freshDatabase();
    setDatabase(handle);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await handle?.close();
  });
  return () => {
    if (!handle) throw new Error("database not ready");
    return handle.prisma;
  };
}

let counter = 0;

/** An organization with an admin and a viewer; returns their ids. */
export async function createTestOrg(prisma: PrismaClient, name = `Org ${++counter}`) {
  const tag = randomBytes(4).toString("hex");
  const { organization, user } = await createOrganizationWithAdmin(prisma, { organizationName: name, email: `admin-${tag}@example.test`, password: "password123" });
  const viewer = await prisma.user.create({
    data: { id: newId("usr"), organizationId: organization.id, email: `viewer-${tag}@example.test`, passwordHash: await hashPassword("password123"), role: "VIEWER" },
  });
  return { org: organization, admin: user, viewer };
}

/** An organization as createTestOrg makes it, with Enable Webhooks on (and an auto-disable threshold if given). */
export async function createWebhookOrg(prisma: PrismaClient, options: { name?: string; autoDisableThreshold?: number } = {}) {
  const t = await createTestOrg(prisma, options.name);
  await prisma.organization.update({ where: { id: t.org.id }, data: { webhooksEnabled: true, autoDisableThreshold: options.autoDisableThreshold } });
  return t;
}

/**
 * A new, empty database that another process (`npm start`, `npm run worker`, the CLI) can open: a
 * scratch database on the test cluster, or a PGlite data directory of its own (a process holds it
 * alone). `remove` deletes the directory (nothing on PostgreSQL: the cluster is thrown away).
 */
export async function databaseForAProcess(prefix: string): Promise<{ url: string; remove: () => void }> {
  if (TEST_DATABASE === "postgres") return { url: (await createScratchDatabase(process.env.TEST_POSTGRES_URL!, prefix)).url, remove: () => {} };
  const dir = mkdtempSync(path.join(tmpdir(), `leadhooks-${prefix}-`));
  return { url: `pglite:${path.join(dir, "pglite")}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
