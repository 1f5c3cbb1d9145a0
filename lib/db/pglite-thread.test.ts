import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { messages, type PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { applyMigrations } from "./migrate";
import { pgliteDriver } from "./driver";
import { isUniqueViolation } from "./errors";
import { openPgliteThread, PGliteThread } from "./pglite-thread";
import { pgliteSql } from "./sql";

// PGlite on its own thread, as the app opens it: this thread stays free while statements run, and
// everything else is what PGlite in this thread does (results, errors, transactions, files).

let db: PGlite;

beforeAll(async () => {
  db = await openPgliteThread(null);
  await db.exec(`CREATE TABLE item (id int PRIMARY KEY, v text NOT NULL)`);
}, 60_000);
afterAll(() => db.close());

describe("PGlite on its own thread", () => {
  it("leaves this thread free while a statement runs: timers fire during a long query", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const started = performance.now();
      const [{ n }] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM generate_series(1, 3000000) g, LATERAL (SELECT g % 7) x`)).rows as [{ n: number }];
      const took = performance.now() - started;
      expect(n).toBe(3_000_000);
      // The query ran for a while; in this thread, no timer could have fired until it ended.
      expect(took).toBeGreaterThan(50);
      expect(ticks).toBeGreaterThan(2);
    } finally {
      clearInterval(timer);
    }
  });

  it("runs statements sent back to back in the order they were sent, each with its own outcome", async () => {
    const sql = pgliteSql(db);
    const insert = (id: number, v: string | null) => sql.query(`INSERT INTO item (id, v) VALUES ($1, $2) RETURNING id`, [id, v], "thread-insert");
    const sent = [insert(1, "a"), insert(1, "again"), insert(2, null), insert(3, "c"), sql.query<{ ids: number[] }>(`SELECT array_agg(id ORDER BY id) AS ids FROM item`, [], "thread-ids")];
    const settled = await Promise.allSettled(sent);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled", "fulfilled"]);
    const duplicate = (settled[1] as PromiseRejectedResult).reason;
    expect(duplicate).toBeInstanceOf(messages.DatabaseError);
    expect(isUniqueViolation(duplicate)).toBe(true);
    expect(duplicate).toMatchObject({ code: "23505", table: "item", constraint: "item_pkey" });
    expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({ code: "23502", column: "v" });
    // The select, sent last, saw both inserts that succeeded and nothing else.
    expect((settled[4] as PromiseFulfilledResult<{ ids: number[] }[]>).value).toEqual([{ ids: [1, 3] }]);
  });

  it("keeps another caller's statement out of an open transaction, and rolls a failed one back", async () => {
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    const tx = db.transaction(async (t) => {
      await t.query(`INSERT INTO item (id, v) VALUES (10, 'tx')`);
      inside();
      await new Promise((r) => setTimeout(r, 30));
      throw new Error("changed my mind");
    });
    await entered;
    const outside = pgliteSql(db).query<{ n: number }>(`SELECT count(*)::int AS n FROM item WHERE id = 10`, [], "thread-count-10");
    await expect(tx).rejects.toThrow("changed my mind");
    expect(await outside).toEqual([{ n: 0 }]);
  });

  it("gives Prisma the database's errors, which it reports by its own codes", async () => {
    const other = await openPgliteThread(null);
    await applyMigrations(pgliteDriver(other));
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(other) });
    try {
      const org = await prisma.organization.create({ data: { id: "org_thread_1", name: "Thread Org", slug: "thread-org" } });
      expect(await prisma.organization.findUnique({ where: { id: org.id } })).toMatchObject({ slug: "thread-org" });
      const err = await prisma.organization.create({ data: { id: "org_thread_2", name: "Again", slug: "thread-org" } }).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe("P2002");
      await expect(prisma.$transaction(async (tx) => {
        await tx.organization.update({ where: { id: org.id }, data: { name: "Renamed" } });
        throw new Error("undo");
      })).rejects.toThrow("undo");
      expect(await prisma.organization.findUnique({ where: { id: org.id } })).toMatchObject({ name: "Thread Org" });
    } finally {
      await prisma.$disconnect();
      await other.close();
    }
  }, 60_000);

  it("keeps a data directory's rows across a close and a new open, and dumps it for a copy in memory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-thread-"));
    try {
      const first = await openPgliteThread(path.join(dir, "data"));
      await first.exec(`CREATE TABLE kept (v text); INSERT INTO kept VALUES ('survives')`);
      await first.close();
      expect(first.closed).toBe(true);
      await expect(first.query(`SELECT 1`)).rejects.toThrow(/closed/);
      const again = await openPgliteThread(path.join(dir, "data"));
      try {
        expect((await again.query(`SELECT v FROM kept`)).rows).toEqual([{ v: "survives" }]);
        const copy = await openPgliteThread(null, await again.dumpDataDir("none"));
        expect((await copy.query(`SELECT v FROM kept`)).rows).toEqual([{ v: "survives" }]);
        await copy.close();
      } finally {
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("fails what waits, with a clear error, when its thread stops", async () => {
    const doomed = new PGliteThread(null);
    await doomed.waitReady;
    const worker = (doomed as unknown as { worker: import("node:worker_threads").Worker }).worker;
    const pending = doomed.query(`SELECT count(*) FROM generate_series(1, 20000000)`);
    await worker.terminate();
    await expect(pending).rejects.toThrow(/PGlite's thread stopped/);
    await expect(doomed.query(`SELECT 1`)).rejects.toThrow(/PGlite's thread stopped/);
    await doomed.close();
  }, 60_000);

  it("does not keep the process alive once nothing waits on it (a script that never closes it ends)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-thread-exit-"));
    try {
      const script = path.join(dir, "script.mts");
      writeFileSync(script, `import { openPgliteThread } from ${JSON.stringify(path.resolve("lib/db/pglite-thread.ts"))};\nconst db = await openPgliteThread(null);\nconsole.log(JSON.stringify((await db.query("SELECT 41 + 1 AS n")).rows));\n`);
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], { cwd: process.cwd(), timeout: 60_000 });
      expect(stdout.trim()).toBe(`[{"n":42}]`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
