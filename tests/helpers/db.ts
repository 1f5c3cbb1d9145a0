import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { openDatabase, setDatabase, type Database } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { hashPassword } from "@/lib/auth/password";
import { newId } from "@/lib/core/ids";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";
import { createScratchDatabase } from "@/scripts/pg-cluster.mjs";

export const TEST_DATABASE = (process.env.TEST_DATABASE ?? "pglite") as "pglite" | "postgres";

/** A fresh, migrated database: PGlite in memory, or a new database on the test PostgreSQL cluster. */
export async function freshDatabase(): Promise<Database & { url: string }> {
  if (TEST_DATABASE === "postgres") {
    const admin = process.env.TEST_POSTGRES_URL;
    if (!admin) throw new Error("TEST_DATABASE=postgres needs TEST_POSTGRES_URL (scripts/test.mjs starts a cluster and sets it)");
    const { url } = await createScratchDatabase(admin, "t");
    const handle = await openDatabase(url, "test");
    return { ...handle, url };
  }
  return { ...(await openDatabase("pglite:memory", "test")), url: "pglite:memory" };
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
