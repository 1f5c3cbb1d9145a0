import { afterAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db";
import { createScratchDatabase } from "@/scripts/pg-cluster.mjs";
import { TEST_DATABASE } from "../helpers/db";

// What every connection the app opens is set to. JIT compilation: with it on, once the backlog was
// large enough for the planner to estimate the claim as costly, compiling it took 68 of the claim's
// 73 ms and the delivery rate fell to a quarter (npm run bench:delivery). PGlite has no JIT.

const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});

async function appDatabase(queryTimeoutMs?: number): Promise<Database> {
  const url = TEST_DATABASE === "postgres" ? (await createScratchDatabase(process.env.TEST_POSTGRES_URL!, "conn")).url : "pglite:memory";
  const db = await openDatabase(url, "test", { poolSize: 4, ...(queryTimeoutMs ? { queryTimeoutMs } : {}) });
  opened.push(db);
  return db;
}

const NO_JIT = `SELECT current_setting('jit') = 'off' OR NOT pg_jit_available() AS "noJit", pg_backend_pid() AS pid`;

describe(`connection settings (${TEST_DATABASE})`, () => {
  it("no statement is JIT-compiled, on any connection of the pool, through the hot path's SQL or Prisma", async () => {
    const db = await appDatabase();
    // Held open at once, so the pool opens several connections.
    const rows = await Promise.all(
      Array.from({ length: 4 }, () => db.sql.query<{ noJit: boolean; pid: number }>(`${NO_JIT}, pg_sleep(0.05)`, [])),
    );
    if (db.kind === "postgres") expect(new Set(rows.map(([r]) => r!.pid)).size).toBeGreaterThan(1);
    expect(rows.map(([r]) => r!.noJit)).toEqual([true, true, true, true]);
    const viaPrisma = await db.prisma.$queryRawUnsafe<{ noJit: boolean }[]>(NO_JIT);
    expect(viaPrisma[0]!.noJit).toBe(true);
  });

  it("on PostgreSQL a statement past the query timeout is cancelled, through either path, and the pool goes on; PGlite (one process, no network) has none", async () => {
    const db = await appDatabase(1_000);
    const slow = "SELECT true AS slept FROM pg_sleep(2)";
    if (db.kind === "postgres") {
      await expect(db.sql.query(slow)).rejects.toThrow(/statement timeout/);
      await expect(db.prisma.$queryRawUnsafe(slow)).rejects.toThrow(/statement timeout/);
    } else {
      expect(await db.sql.query(slow)).toEqual([{ slept: true }]);
    }
    expect(await db.sql.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(await db.prisma.$queryRawUnsafe("SELECT 1 AS one")).toEqual([{ one: 1 }]);
  });
});
