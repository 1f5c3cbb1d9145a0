import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db";
import { createScratchDatabase } from "@/scripts/pg-cluster.mjs";
import { TEST_DATABASE } from "../helpers/db";
import { startTcpProxy } from "../helpers/worker-faults";

// A connection that goes silent (the server vanished behind a failover, a firewall dropped the
// flow: no RST, no FIN) must not be handed out again once a statement on it went unanswered, on
// either path: the hot path's plain SQL (pool.query) and Prisma, inside a transaction too, whose
// code gives its connection back without an error.

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await Promise.resolve().then(c).catch(() => {});
});

async function throughProxy(poolSize = 2): Promise<{ db: Database; freeze: () => number }> {
  expect(TEST_DATABASE, "run with the PostgreSQL suite").toBe("postgres");
  const { url } = await createScratchDatabase(process.env.TEST_POSTGRES_URL!, "silent");
  const target = new URL(url);
  const proxy = await startTcpProxy(target.hostname, Number(target.port));
  cleanups.push(proxy.close);
  target.port = String(proxy.port);
  const db = await openDatabase(target.toString(), "test", { poolSize, queryTimeoutMs: 1_000 });
  cleanups.push(() => db.close());
  return { db, freeze: proxy.freeze };
}

describe("a connection that goes silent", () => {
  it("is dropped after its statement goes unanswered, and the next statement runs on a new one (plain SQL)", async () => {
    const { db, freeze } = await throughProxy();
    expect(await db.sql.query("SELECT 1 AS one")).toEqual([{ one: 1 }]);
    expect(freeze()).toBeGreaterThan(0);
    await expect(db.sql.query("SELECT 2 AS two")).rejects.toThrow(/Query read timeout/);
    expect(await db.sql.query("SELECT 3 AS three")).toEqual([{ three: 3 }]);
  });

  it("is dropped when it went silent inside a Prisma transaction, not given back to the pool", async () => {
    // A pool of one: the statements after the transaction wait for its connection to come back.
    const { db, freeze } = await throughProxy(1);
    // The connection open, then silent: the transaction gets it.
    await db.sql.query("SELECT 1");
    expect(freeze()).toBe(1);
    await expect(db.prisma.$transaction(async (tx) => tx.$queryRawUnsafe("SELECT 1"), { timeout: 60_000, maxWait: 60_000 })).rejects.toThrow();
    // Two statements, one after the other: were the transaction's connection given back, one of them would get it.
    for (const n of [1, 2]) expect(await db.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT ${n}::int AS n`)).toEqual([{ n }]);
  });
});
