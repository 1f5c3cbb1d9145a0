import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { RawDriver } from "./driver";

// Applies prisma/migrations/*/migration.sql in name order and records each one in
// _prisma_migrations exactly as `prisma migrate deploy` does (same table, checksum = SHA-256 hex
// of the file), so a machine with Prisma's schema engine sees the same history.

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

// Any constant works; it only has to be the same in every process of the deployment (and in the
// tests that hold it, as another process would).
export const ADVISORY_LOCK_KEY = 4_157_092_611;
/** How often a process waiting for another's migrations asks for the lock again. */
const LOCK_RETRY_MS = 1_000;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function defaultMigrationsDir(): string {
  return path.join(/*turbopackIgnore: true*/ process.cwd(), "prisma", "migrations");
}

export function readMigrations(dir = defaultMigrationsDir()): Migration[] {
  if (!existsSync(dir)) throw new Error(`No migrations directory at ${dir}`);
  return readdirSync(/*turbopackIgnore: true*/ dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(/*turbopackIgnore: true*/ path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export class MigrationError extends Error {}

/**
 * Takes the advisory lock that lets one process at a time migrate. Another process may hold it for
 * as long as its migrations take, so this waits without a limit, and says so once; it asks again
 * every LOCK_RETRY_MS instead of blocking in pg_advisory_lock, so each question is bounded like any
 * other statement and a server that stops answering meanwhile still ends the wait.
 */
async function takeMigrationLock(driver: RawDriver): Promise<void> {
  const take = async () => (await driver.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [ADVISORY_LOCK_KEY]))[0]!.locked;
  if (await take()) return;
  console.log("Waiting for another process to finish migrating the database (it holds the migration lock)…");
  while (!(await take())) await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
}

/** Applies pending migrations; returns the names it applied. Safe to call from many processes. */
export async function applyMigrations(driver: RawDriver, migrations = readMigrations()): Promise<string[]> {
  if (driver.kind === "postgres") await takeMigrationLock(driver);
  try {
    await driver.exec(MIGRATIONS_TABLE);
    const rows = await driver.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const done = new Map(rows.filter((r) => r.rolled_back_at === null).map((r) => [r.migration_name, r]));
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) {
      throw new MigrationError(`Migration ${failed.migration_name} failed earlier and was not rolled back; resolve it before applying more.`);
    }
    const applied: string[] = [];
    for (const m of migrations) {
      const prior = done.get(m.name);
      if (prior) {
        if (prior.checksum !== m.checksum) {
          console.warn(`warning: migration ${m.name} was modified after it was applied (checksum differs)`);
        }
        continue;
      }
      const id = randomUUID();
      await driver.exec("BEGIN");
      try {
        await driver.exec(m.sql);
        await driver.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, now(), 1)`,
          [id, m.checksum, m.name],
        );
        await driver.exec("COMMIT");
      } catch (err) {
        // On a connection the driver dropped (the server stopped answering) the rollback fails too;
        // the server rolls back on its own, and the error that says why is the first one.
        await driver.exec("ROLLBACK").catch(() => {});
        throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    // A session's advisory lock ends with the session: when the connection was dropped (the server
    // stopped answering), unlocking fails, and must not hide the error that names the server.
    if (driver.kind === "postgres") await driver.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]).catch(() => {});
  }
}
