import { PGlite } from "@electric-sql/pglite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isUniqueViolation } from "./errors";
import { openPgliteThread } from "./pglite-thread";
import { pgliteSql, type Sql } from "./sql";

// Named statements on PGlite: prepared once per instance, then bound and executed. They must give
// exactly what an unnamed query gives, keep PostgreSQL's errors, and wait for an open transaction,
// on PGlite in this thread and on PGlite on a thread of its own (what the app opens).

const opened = {
  "in this thread": async () => {
    const db = new PGlite();
    await db.waitReady;
    return db;
  },
  "on its own thread": () => openPgliteThread(null),
};

describe.each(Object.keys(opened) as (keyof typeof opened)[])("PGlite %s", (kind) => {
  let db: PGlite;
  let sql: Sql;

  beforeAll(async () => {
    db = await opened[kind]();
    await db.exec(`CREATE TABLE item (id text PRIMARY KEY, tags text[], data jsonb, n int, at timestamp(3))`);
    sql = pgliteSql(db);
  }, 60_000);
  afterAll(() => db.close());

  const INSERT = `INSERT INTO item (id, tags, data, n, at) VALUES ($1, $2::text[], $3::jsonb, $4, ($5::timestamptz AT TIME ZONE 'UTC')) RETURNING id, tags, data, n, at`;

  describe("pgliteSql named statements", () => {
    it("return the rows an unnamed query returns, for every parameter and column type, on every call", async () => {
      const row = (id: string) => [id, ["a", "b,c", 'd"e'], JSON.stringify({ x: [1, "é"] }), 7, "2026-01-02T03:04:05.678Z"];
      const unnamed = await sql.query(INSERT, row("u1"));
      for (const id of ["n1", "n2"]) {
        const named = await sql.query(INSERT, row(id), "insert-item");
        expect(named).toEqual([{ ...unnamed[0], id }]);
      }
      expect(unnamed[0]).toMatchObject({ tags: ["a", "b,c", 'd"e'], data: { x: [1, "é"] }, n: 7 });
      expect(await sql.query(`SELECT count(*)::int AS c FROM item WHERE n = $1`, [null], "count-null")).toEqual([{ c: 0 }]);
    });

    it("keeps the database's error (by its code), and the next statement runs normally", async () => {
      await sql.query(INSERT, ["dup", [], "{}", 1, "2026-01-01T00:00:00Z"], "insert-item");
      const err = await sql.query(INSERT, ["dup", [], "{}", 1, "2026-01-01T00:00:00Z"], "insert-item").catch((e: unknown) => e);
      expect(isUniqueViolation(err)).toBe(true);
      expect(await sql.query(`SELECT id FROM item WHERE id = $1`, ["dup"], "item-by-id")).toEqual([{ id: "dup" }]);
    });

    it("waits for a transaction in progress instead of running inside it", async () => {
      let release!: () => void;
      let started!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const inside = new Promise<void>((r) => (started = r));
      const tx = db.transaction(async (t) => {
        await t.query(`INSERT INTO item (id) VALUES ('in-tx')`);
        started();
        await held;
        await t.rollback();
      });
      await inside;
      const during = sql.query<{ c: number }>(`SELECT count(*)::int AS c FROM item WHERE id = $1`, ["in-tx"], "count-by-id");
      let answered = false;
      void during.then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(answered).toBe(false);
      release();
      await tx.catch(() => {});
      expect(await during).toEqual([{ c: 0 }]); // after the rollback, never the transaction's own row
    });
  });
});
