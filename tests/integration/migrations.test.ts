import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/lib/db";
import { openPglite, pgliteDriver, postgresDriver, type RawDriver } from "@/lib/db/driver";
import { lockFile } from "@/lib/db/lock";
import { applyMigrations, MigrationError, readMigrations, type Migration } from "@/lib/db/migrate";
import { createScratchDatabase } from "@/scripts/pg-cluster.mjs";
import { TEST_DATABASE } from "../helpers/db";

// The project's own migration applier stands in for `prisma migrate deploy`; these tests hold it to
// the same contract: idempotent, transactional per migration, and recorded the way Prisma records.

const drivers: RawDriver[] = [];
const tempDirs: string[] = [];
let sharedPglite: RawDriver | undefined;

/** An empty database reached through a raw driver (no migrations applied yet). */
async function emptyDatabase(): Promise<{ driver: RawDriver; url: string | null }> {
  if (TEST_DATABASE === "postgres") {
    const admin = process.env.TEST_POSTGRES_URL!;
    const { url } = await createScratchDatabase(admin, "m");
    const driver = await postgresDriver(url);
    drivers.push(driver);
    return { driver, url };
  }
  // Opening a PGlite takes seconds: reuse one and empty it instead.
  if (!sharedPglite) {
    sharedPglite = pgliteDriver(await openPglite(null));
    drivers.push(sharedPglite);
  }
  await sharedPglite.exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public;`);
  return { driver: sharedPglite, url: null };
}

function migration(name: string, sql: string): Migration {
  return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
}

async function tableExists(driver: RawDriver, table: string): Promise<boolean> {
  const rows = await driver.query<{ t: string | null }>(`SELECT to_regclass($1)::text AS t`, [`public."${table}"`]);
  return rows[0]?.t != null;
}

afterAll(async () => {
  for (const d of drivers) await d.close();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("migration applier", () => {
  it("applies every migration once and records it the way prisma migrate deploy does", async () => {
    const { driver } = await emptyDatabase();
    const onDisk = readMigrations();
    expect(onDisk.length).toBeGreaterThan(0);

    expect(await applyMigrations(driver)).toEqual(onDisk.map((m) => m.name));
    expect(await applyMigrations(driver)).toEqual([]); // second run: nothing to do

    const rows = await driver.query<{ id: string; checksum: string; migration_name: string; finished_at: Date | null; rolled_back_at: Date | null; logs: string | null; applied_steps_count: number; started_at: Date }>(
      `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => r.migration_name)).toEqual(onDisk.map((m) => m.name));
    for (const row of rows) {
      const file = path.join("prisma", "migrations", row.migration_name, "migration.sql");
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.checksum).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
      expect(row.finished_at).not.toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
      expect(new Date(row.finished_at!).getTime()).toBeGreaterThanOrEqual(new Date(row.started_at).getTime());
    }
  });

  it("reads migrations from disk in name order, skipping folders without migration.sql", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-migrations-"));
    tempDirs.push(dir);
    for (const [name, sql] of [["20260102_b", "SELECT 2;"], ["20260101_a", "SELECT 1;"]] as const) {
      const sub = path.join(dir, name);
      mkdirSync(sub);
      writeFileSync(path.join(sub, "migration.sql"), sql);
    }
    mkdirSync(path.join(dir, "20260103_empty"));
    writeFileSync(path.join(dir, "migration_lock.toml"), 'provider = "postgresql"\n');
    expect(readMigrations(dir)).toEqual([migration("20260101_a", "SELECT 1;"), migration("20260102_b", "SELECT 2;")]);
  });

  it("rolls a failing migration back completely, reports it, and applies it once fixed", async () => {
    const { driver } = await emptyDatabase();
    const first = migration("20260101000000_first", `CREATE TABLE "First" ("id" TEXT PRIMARY KEY);`);
    const broken = migration("20260102000000_second", `CREATE TABLE "Second" ("id" TEXT PRIMARY KEY);\nINSERT INTO "Missing" VALUES (1);`);

    await expect(applyMigrations(driver, [first, broken])).rejects.toThrow(MigrationError);
    await expect(applyMigrations(driver, [first, broken])).rejects.toThrow(/Migration 20260102000000_second failed: .*Missing/);
    expect(await tableExists(driver, "First")).toBe(true);
    expect(await tableExists(driver, "Second")).toBe(false); // its first statement was rolled back too
    const names = await driver.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(names.map((r) => r.migration_name)).toEqual([first.name]);

    const fixed = migration(broken.name, `CREATE TABLE "Second" ("id" TEXT PRIMARY KEY);`);
    expect(await applyMigrations(driver, [first, fixed])).toEqual([fixed.name]);
    expect(await tableExists(driver, "Second")).toBe(true);
  });

  it("refuses to continue past a migration Prisma recorded as failed", async () => {
    const { driver } = await emptyDatabase();
    const first = migration("20260101000000_first", `CREATE TABLE "First" ("id" TEXT PRIMARY KEY);`);
    await applyMigrations(driver, [first]);
    // What `prisma migrate deploy` leaves behind when a migration dies half-way.
    await driver.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`, [
      "00000000-0000-4000-8000-000000000000",
      "0".repeat(64),
      "20260102000000_half",
    ]);
    const next = migration("20260103000000_next", `CREATE TABLE "Next" ("id" TEXT PRIMARY KEY);`);
    await expect(applyMigrations(driver, [first, next])).rejects.toThrow(/20260102000000_half failed earlier/);
    expect(await tableExists(driver, "Next")).toBe(false);
  });
});

if (TEST_DATABASE === "postgres") {
  describe("concurrent appliers on PostgreSQL", () => {
    it("apply each migration exactly once (advisory lock)", async () => {
      const { url } = await emptyDatabase();
      const a = await postgresDriver(url!);
      const b = await postgresDriver(url!);
      drivers.push(a, b);
      // Slow enough that, without the lock, both would see an empty history and both would run it.
      const slow = [
        migration("20260101000000_slow", `SELECT pg_sleep(0.3); CREATE TABLE "Once" ("id" TEXT PRIMARY KEY);`),
        migration("20260102000000_more", `CREATE TABLE "Twice" ("id" TEXT PRIMARY KEY);`),
      ];
      const results = await Promise.all([applyMigrations(a, slow), applyMigrations(b, slow)]);
      expect(results.flat().sort()).toEqual(slow.map((m) => m.name));
      expect(results.map((r) => r.length).sort()).toEqual([0, 2]);
      const rows = await a.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
      expect(rows[0]!.n).toBe(2);
      // Released afterwards: a third applier neither blocks nor applies anything.
      expect(await applyMigrations(b, slow)).toEqual([]);
    });
  });
} else {
  describe("concurrent appliers on PGlite", () => {
    it("are kept out of a data directory another process holds (the lock), before touching it", async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-pglite-"));
      tempDirs.push(dir);
      // Our parent process is alive and is not us: it stands in for a running server.
      writeFileSync(lockFile(dir), JSON.stringify({ pid: process.ppid, role: "server" }));
      await expect(openDatabase(`pglite:${dir}`, "db:migrate")).rejects.toThrow(/in use by process \d+ \(server\)/);
      expect(existsSync(path.join(dir, "PG_VERSION"))).toBe(false);
    });
  });
}
