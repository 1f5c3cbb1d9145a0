import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/core/env";
import { openPglite, parseDatabaseUrl, pgliteDriver, postgresDriver, type RawDriver } from "./driver";
import { acquirePgliteLock } from "./lock";
import { applyMigrations } from "./migrate";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  kind: "pglite" | "postgres";
  /** Migrations applied when this handle was opened. */
  applied: string[];
  close(): Promise<void>;
}

/**
 * Opens the database named by `url` and applies pending migrations. PGlite data directories are
 * locked to this process; PostgreSQL gets a pooled connection per process.
 */
export async function openDatabase(url: string, role = "app"): Promise<Database> {
  const target = parseDatabaseUrl(url);
  if (target.kind === "pglite") {
    const release = target.dataDir ? acquirePgliteLock(target.dataDir, role) : () => {};
    try {
      const pglite = await openPglite(target.dataDir);
      const driver = pgliteDriver(pglite);
      const applied = await applyMigrations(driver);
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
      return {
        prisma,
        kind: "pglite",
        applied,
        close: async () => {
          await prisma.$disconnect();
          await driver.close();
          release();
        },
      };
    } catch (err) {
      release();
      throw err;
    }
  }
  const driver: RawDriver = await postgresDriver(target.url);
  let applied: string[];
  try {
    applied = await applyMigrations(driver);
  } finally {
    await driver.close();
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: target.url, max: 10 }) });
  return { prisma, kind: "postgres", applied, close: () => prisma.$disconnect() };
}

// One database per process, kept on globalThis so dev-mode reloads and bundled copies of this
// module share it.
const globalKey = Symbol.for("leadhooks.database");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<Database> };

export function database(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  if (!g[globalKey]) {
    g[globalKey] = openDatabase(env().DATABASE_URL, "server").catch((err) => {
      delete g[globalKey];
      throw err;
    });
  }
  return g[globalKey];
}

/** The process's database if it was opened (or is being opened), without opening it. */
export function openedDatabase(): Promise<Database> | undefined {
  return (globalThis as GlobalWithDb)[globalKey];
}

/** The process's Prisma client. */
export async function db(): Promise<PrismaClient> {
  return (await database()).prisma;
}

/** For tests and scripts: use this database as the process's own. */
export function setDatabase(handle: Database | undefined): void {
  const g = globalThis as GlobalWithDb;
  if (handle) g[globalKey] = Promise.resolve(handle);
  else delete g[globalKey];
}
