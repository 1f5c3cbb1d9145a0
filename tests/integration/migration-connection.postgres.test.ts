import pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDatabase } from "@/lib/db";
import { postgresDriver, type RawDriver } from "@/lib/db/driver";
import { ADVISORY_LOCK_KEY, applyMigrations } from "@/lib/db/migrate";
import { createScratchDatabase } from "@/scripts/pg-cluster.mjs";
import { TEST_DATABASE } from "../helpers/db";
import { startTcpProxy } from "../helpers/worker-faults";

// Every process migrates before anything else, on a connection of its own. While another process
// holds the migration lock it waits as long as that takes, and says so; what it asks the server
// meanwhile is bounded, so a server gone silent ends start-up with a message instead of a hang.

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => {});
});

async function scratchDatabase(): Promise<string> {
  expect(TEST_DATABASE, "run with the PostgreSQL suite").toBe("postgres");
  return (await createScratchDatabase(process.env.TEST_POSTGRES_URL!, "mc")).url;
}

/** A migration driver (statement timeout 0.5 s) to a scratch database through a TCP proxy the test can freeze. */
async function driverThroughProxy() {
  const target = new URL(await scratchDatabase());
  const proxy = await startTcpProxy(target.hostname, Number(target.port));
  cleanups.push(proxy.close);
  const through = new URL(target);
  through.port = String(proxy.port);
  const driver = await postgresDriver(through.toString(), { queryTimeoutMs: 500 });
  cleanups.push(() => driver.close());
  return { proxy, driver };
}

describe("the migration connection", () => {
  it("says once that it waits for another process's migrations, waits, and opens once the lock is released", async () => {
    const url = await scratchDatabase();
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    cleanups.push(() => other.end());
    await other.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);

    const log = vi.spyOn(console, "log");
    cleanups.push(() => log.mockRestore());
    let opened = false;
    const opening = openDatabase(url, "test").then((db) => {
      opened = true;
      cleanups.push(() => db.close());
      return db;
    });
    const waiting = () => log.mock.calls.filter((args) => /^Waiting for another process to finish migrating the database/.test(String(args[0])));
    await vi.waitFor(() => expect(waiting()).toHaveLength(1), { timeout: 30_000, interval: 50 });
    // Past several of its retries: still waiting, and said so once.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(opened).toBe(false);
    expect(waiting()).toHaveLength(1);

    await other.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]);
    const db = await opening;
    expect(db.applied.length).toBeGreaterThan(0);
    expect(await db.sql.query(`SELECT count(*)::int AS n FROM "_prisma_migrations"`)).toEqual([{ n: db.applied.length }]);
  }, 60_000);

  it("gives up on a statement the server leaves unanswered, naming the server", async () => {
    const { proxy, driver } = await driverThroughProxy();
    expect(await driver.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(proxy.freeze()).toBe(1);
    const started = Date.now();
    // The statement timeout plus the client's grace (2 s), rounded.
    await expect(driver.query("SELECT 2 AS two")).rejects.toThrow(`the database at 127.0.0.1:${proxy.port} did not answer a statement within 3 s: check DATABASE_URL`);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  // Found by a reviewer: the migration applier's clean-up (unlocking, rolling back) ran on the
  // dropped connection and failed with pg's "Client was closed", which replaced the error naming
  // the server.
  it("a server that stops answering while migrations are read is named in the error, not hidden by the clean-up", async () => {
    const { proxy, driver } = await driverThroughProxy();
    // The server goes silent once the lock is taken, as the applier reads which migrations ran.
    const freezing: RawDriver = {
      ...driver,
      query: async (sql, params) => {
        if (sql.includes(`FROM "_prisma_migrations"`)) proxy.freeze();
        return driver.query(sql, params);
      },
    };
    await expect(applyMigrations(freezing)).rejects.toThrow(`the database at 127.0.0.1:${proxy.port} did not answer a statement within 3 s`);
  }, 30_000);
});
