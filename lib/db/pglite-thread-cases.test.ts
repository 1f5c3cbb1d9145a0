import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Worker } from "node:worker_threads";
import { messages, parse, PGlite, protocol, type Results } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { pgliteDriver } from "./driver";
import { applyMigrations } from "./migrate";
import { openPgliteThread, PGliteThread } from "./pglite-thread";
import { pgliteSql, REPREPARE_CALLS, type Sql } from "./sql";

// Adversarial cases for PGlite on its own thread: everything is compared with what PGlite in this
// thread (`ref`) gives for the same statements on the same schema.

const T = 60_000;
const run = promisify(execFile);

let thread: PGlite;
let ref: PGlite;
let tsql: Sql;
let rsql: Sql;

const SCHEMA = `
  CREATE TYPE mood AS ENUM ('happy', 'sad');
  CREATE DOMAIN posint AS int CHECK (VALUE > 0);
  CREATE TABLE parent (id int PRIMARY KEY);
  CREATE TABLE child (
    id int PRIMARY KEY,
    parent_id int REFERENCES parent (id),
    v text NOT NULL CHECK (v <> 'bad'),
    n numeric(5, 2),
    u text UNIQUE
  );
  CREATE TABLE pipe (id int PRIMARY KEY, v text);
  CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL);
  INSERT INTO counter VALUES (1, 0);
  CREATE TABLE blobs (id int PRIMARY KEY, b bytea, t text);
  CREATE FUNCTION boom(x int) RETURNS int LANGUAGE plpgsql AS $$
  BEGIN
    IF x > 0 THEN RAISE EXCEPTION 'boom %', x USING DETAIL = 'the detail', HINT = 'the hint', ERRCODE = 'P0042'; END IF;
    RETURN x;
  END $$;
  CREATE FUNCTION inner_bad() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN (SELECT 1 / 0); END $$;
  CREATE FUNCTION noisy() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RAISE NOTICE 'hello notice'; RETURN 1; END $$;
  INSERT INTO parent VALUES (1);
  INSERT INTO child (id, parent_id, v, u) VALUES (1, 1, 'one', 'taken');
`;

beforeAll(async () => {
  thread = await openPgliteThread(null);
  ref = new PGlite();
  await ref.waitReady;
  await thread.exec(SCHEMA);
  await ref.exec(SCHEMA);
  tsql = pgliteSql(thread);
  rsql = pgliteSql(ref);
}, T);
afterAll(async () => {
  await thread?.close();
  await ref?.close();
});

/** Every field of an error (own enumerable ones, message, class), for comparing two errors. */
function fieldsOf(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { notAnError: err };
  const own: Record<string, unknown> = {};
  for (const k of Object.keys(err)) if (k !== "stack") own[k] = (err as unknown as Record<string, unknown>)[k];
  return { ...own, message: err.message, isDatabaseError: err instanceof messages.DatabaseError, ctor: err.constructor.name };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure, got a result");
}

const HUNG = Symbol("hung");
/** The promise's outcome, or HUNG if it has not settled within `ms` (a hang detector, not a sleep). */
function within<V>(p: Promise<V>, ms: number): Promise<{ ok: V } | { err: unknown } | typeof HUNG> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.then((ok) => ({ ok }), (err: unknown) => ({ err })),
    new Promise<typeof HUNG>((r) => (timer = setTimeout(() => r(HUNG), ms))),
  ]).finally(() => clearTimeout(timer));
}

const both = async <V,>(f: (db: PGlite, sql: Sql) => Promise<V>): Promise<[V, V]> => [await f(thread, tsql), await f(ref, rsql)];

describe("results and parameters, compared with PGlite in this thread", () => {
  const TYPES = `SELECT
      1::int2 AS i2, 2147483647::int4 AS i4, 9007199254740993::int8 AS i8, 1.5::float4 AS f4, 'NaN'::float8 AS nan,
      '-Infinity'::float8 AS ninf, 12345678901234567890.123456789::numeric AS num, true AS b, NULL::int AS nul,
      'héllo 🐘 \u00a0 \\ '' "' AS txt, ''::text AS empty, 'x'::char(3) AS ch, 'happy'::mood AS m,
      '2026-03-04 05:06:07.891+02'::timestamptz AS tz, '2026-03-04 05:06:07.891'::timestamp AS ts,
      '2026-03-04'::date AS d, '0001-01-01 BC'::date AS bc, 'infinity'::timestamptz AS inf, '1 year 2 mons 3 days 04:05:06.7'::interval AS iv,
      '12:34:56'::time AS tm, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS uid, '\\x00ff10'::bytea AS by,
      ARRAY[1, NULL, 3]::int[] AS ia, ARRAY['a', NULL, 'b,c', 'd"e', '', 'NULL']::text[] AS ta, ARRAY[[1, 2], [3, 4]]::int[] AS nested,
      '{}'::int[] AS emptya, ARRAY['happy', 'sad']::mood[] AS ma, ARRAY['2026-01-01T00:00:00Z'::timestamptz] AS tza,
      '{"a": [1, 2.5, null, "é"], "b": {"c": true}}'::json AS js, '{"b": 1, "a": [1, 2]}'::jsonb AS jb, 'null'::jsonb AS jnull,
      '"str"'::jsonb AS jstr, '192.168.0.1/24'::inet AS ip, '(1,2)'::point AS pt, 'a b c'::tsvector AS tv, 42::oid AS o`;

  it("returns every common type as PGlite in this thread does: query, rowMode array, exec, named statement", async () => {
    const [tq, rq] = await both((db) => db.query(TYPES));
    expect(tq).toEqual(rq);
    // (PGlite's own array parser reads a NULL element of int[] as NaN: so does PGlite in this thread)
    expect(tq.rows[0]).toMatchObject({ i8: 9007199254740993n, nul: null, jb: { a: [1, 2], b: 1 } });
    const [ta, ra] = await both((db) => db.query(TYPES, [], { rowMode: "array" }));
    expect(ta).toEqual(ra);
    const [te, re] = await both((db) => db.exec(`${TYPES}; SELECT 2 AS two; UPDATE counter SET n = n WHERE id = 1`));
    expect(te).toEqual(re);
    const [tn, rn] = await both((_, sql) => sql.query(TYPES, [], "types-named"));
    expect(tn).toEqual(rn);
    expect(tn).toEqual(tq.rows);
  }, T);

  it("passes every common parameter type as PGlite in this thread does (unnamed and named)", async () => {
    const text = `SELECT $1::int AS i, $2::int8 AS i8, $3::numeric AS num, $4::timestamptz AS tz, $5::jsonb AS jb, $6::json AS js,
      $7::text[] AS ta, $8::int[] AS ia, $9::bytea AS by, $10::bool AS b, $11::text AS t, $12::text AS nul, $13::text AS undef,
      $14::date AS d, $15::mood AS m, $16::float8 AS f, $17::uuid AS u, $18::interval AS iv, $19::jsonb AS jarr, $20::text AS lone`;
    const params = [
      -7, 9007199254740993n, "123.456", new Date("2026-01-02T03:04:05.678Z"), { a: [1, "é", null], b: { c: false } }, [1, 2],
      ["a", null, "b,c", 'd"e', "", "NULL", "{x}"], [1, null, 3], new Uint8Array([0, 1, 127, 128, 255]), false, "héllo 🐘 \\ ' \"",
      null, undefined, new Date("2026-06-07T00:00:00Z"), "sad", 1e-300, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "1 day 02:00",
      [{ x: 1 }, "s"], "lone \ud800 surrogate",
    ];
    const [tq, rq] = await both((db) => db.query(text, params));
    expect(tq).toEqual(rq);
    const [tn, rn] = await both((_, sql) => sql.query(text, params, "params-named"));
    expect(tn).toEqual(rn);
    expect(tn).toEqual(tq.rows);
  }, T);

  it("returns 200,000 rows intact", async () => {
    const text = `SELECT g AS id, md5(g::text) AS h, g % 3 = 0 AS three, CASE WHEN g % 5 = 0 THEN NULL ELSE g * 1.5 END AS x FROM generate_series(1, 200000) g`;
    const [t, r] = await both((db) => db.query<{ id: number }>(text));
    expect(t.rows.length).toBe(200_000);
    expect(t).toEqual(r);
    const named = await tsql.query<{ id: number }>(text, [], "rows-200k");
    expect(named.length).toBe(200_000);
    expect(named).toEqual(r.rows);
  }, T);

  it("returns a 20 MB value and takes a 20 MB parameter intact", async () => {
    const [t, r] = await both((db) => db.query<{ s: string }>(`SELECT repeat('ab€', 7000000) AS s, length(repeat('ab€', 7000000)) AS n`));
    expect(t.rows[0]!.s.length).toBe(21_000_000);
    expect(t).toEqual(r);
    const big = "x€🐘".repeat(5_000_000); // 20M code units, 40 MB of UTF-8
    const hash = createHash("md5").update(big, "utf8").digest("hex");
    const [tp, rp] = await both((_, sql) => sql.query<{ h: string; n: number }>(`SELECT md5($1::text) AS h, length($1::text) AS n`, [big], "big-param"));
    expect(tp).toEqual([{ h: hash, n: 15_000_000 }]);
    expect(tp).toEqual(rp);
  }, T);

  it("stores and returns bytea of every byte value (and 10 MB of it) as PGlite in this thread does", async () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const big = new Uint8Array(10_000_000).map((_, i) => (i * 7919) % 256);
    for (const [db, sql] of [[thread, tsql], [ref, rsql]] as const) {
      await sql.query(`INSERT INTO blobs (id, b) VALUES ($1, $2)`, [1, all], "blob-insert");
      await db.query(`INSERT INTO blobs (id, b) VALUES ($1, $2)`, [2, big]);
    }
    const [t, r] = await both((db) => db.query<{ id: number; b: Uint8Array }>(`SELECT id, b FROM blobs ORDER BY id`));
    // (compared as buffers: a deep equality of 10 MB element by element takes the test's whole minute)
    expect(t.fields).toEqual(r.fields);
    expect(t.rows.map((x) => [x.id, x.b.constructor.name, Buffer.from(x.b).toString("base64")])).toEqual(r.rows.map((x) => [x.id, x.b.constructor.name, Buffer.from(x.b).toString("base64")]));
    expect(t.rows[0]!.b).toEqual(all);
    expect(Buffer.from(t.rows[1]!.b).equals(Buffer.from(big))).toBe(true);
  }, T);

  it("describeQuery and the sql template give what PGlite in this thread gives", async () => {
    const [td, rd] = await both((db) => db.describeQuery(`SELECT id, v FROM child WHERE id = $1 AND v = $2`));
    expect(td.queryParams.map((p) => p.dataTypeID)).toEqual(rd.queryParams.map((p) => p.dataTypeID));
    expect(td.resultFields.map((f) => [f.name, f.dataTypeID])).toEqual(rd.resultFields.map((f) => [f.name, f.dataTypeID]));
    const [ts, rs] = await both((db) => db.sql`SELECT ${1}::int + ${2}::int AS s, ${"x"}::text AS t`);
    expect(ts).toEqual(rs);
  }, T);

  it("execProtocol returns the same messages (and data) as PGlite in this thread", async () => {
    const bytes = Buffer.concat([protocol.serialize.query(`SELECT 1 AS one, 'two' AS two`)]);
    const [t, r] = await both((db) => db.execProtocol(bytes));
    expect(JSON.parse(JSON.stringify(t.messages))).toEqual(JSON.parse(JSON.stringify(r.messages)));
    const [traw, rraw] = await both((db) => db.execProtocolRaw(bytes));
    expect(Buffer.from(traw).equals(Buffer.from(rraw))).toBe(true);
    // A caller of execProtocol may read the raw bytes it returns, as PGlite documents.
    expect(Buffer.from(t.data).equals(Buffer.from(r.data))).toBe(true);
  }, T);

  it("execProtocol's messages (plain objects: classes do not cross threads) carry each message's name and fields, and parse as PGlite's own", async () => {
    const bytes = protocol.serialize.query(`SELECT 1 AS one, now() AS at, '{1,2}'::int[] AS list`);
    const [t, r] = await both((db) => db.execProtocol(bytes));
    expect(t.messages.map((m) => m.name)).toEqual(r.messages.map((m) => m.name));
    expect(parse.parseResults(t.messages, thread.parsers)[0]!.fields).toEqual(parse.parseResults(r.messages, ref.parsers)[0]!.fields);
    expect(parse.parseResults(t.messages, thread.parsers)[0]!.rows[0]).toMatchObject({ one: 1, list: [1, 2], at: expect.any(Date) });
  }, T);

  it("COPY … TO STDOUT gives what PGlite in this thread gives", async () => {
    const [t, r] = await both((db) => db.exec(`COPY (SELECT g, 'x' FROM generate_series(1, 3) g) TO STDOUT`));
    expect(t).toEqual(r);
  }, T);

  it("COPY … TO '/dev/blob' returns the file, or fails clearly (documented unsupported), never succeeds without it", async () => {
    const r = await ref.query(`COPY child TO '/dev/blob'`);
    expect(r.blob?.size).toBeGreaterThan(0);
    const t = await within(thread.query(`COPY child TO '/dev/blob'`), 10_000);
    expect(t).not.toBe(HUNG);
    if (t !== HUNG && "ok" in t) expect(await t.ok.blob?.text()).toBe(await r.blob!.text());
    else if (t !== HUNG) expect(String((t.err as Error).message)).toMatch(/not supported/);
  }, T);

  it("20,000 named statements sent without waiting each get their own result, in order", async () => {
    const sent = Array.from({ length: 20_000 }, (_, i) => tsql.query<{ n: number }>(`SELECT $1::int + 1 AS n`, [i], "plus-one"));
    const got = await Promise.all(sent);
    expect(got.every((r, i) => r.length === 1 && r[0]!.n === i + 1)).toBe(true);
  }, T);

  it("calls onNotice for RAISE NOTICE, as PGlite in this thread does", async () => {
    const seen: Record<string, string[]> = { thread: [], ref: [] };
    await thread.query(`SELECT noisy()`, [], { onNotice: (n) => seen.thread!.push(n.message ?? "") });
    await ref.query(`SELECT noisy()`, [], { onNotice: (n) => seen.ref!.push(n.message ?? "") });
    expect(seen.ref).toEqual(["hello notice"]);
    expect(seen.thread).toEqual(seen.ref);
  }, T);
});

describe("errors, compared with PGlite in this thread", () => {
  const FAILING: [string, string, unknown[]][] = [
    ["foreign key", `INSERT INTO child (id, parent_id, v) VALUES ($1, 999, 'x')`, [100]],
    ["unique", `INSERT INTO child (id, v, u) VALUES ($1, 'x', 'taken')`, [101]],
    ["primary key", `INSERT INTO child (id, v) VALUES ($1, 'x')`, [1]],
    ["not null", `INSERT INTO child (id, v) VALUES ($1, NULL)`, [102]],
    ["check", `INSERT INTO child (id, v) VALUES ($1, 'bad')`, [103]],
    ["numeric overflow", `INSERT INTO child (id, v, n) VALUES ($1, 'x', 12345.678)`, [104]],
    ["raise with detail and hint", `SELECT boom($1)`, [1]],
    ["error inside a function", `SELECT inner_bad() + $1`, [1]],
    ["syntax", `SELEC $1`, [1]],
    ["undefined column (position)", `SELECT nope FROM child WHERE id = $1`, [1]],
    ["bad parameter", `SELECT $1::int AS x`, ["abc"]],
    ["bad enum", `SELECT $1::mood AS x`, ["meh"]],
    ["domain check", `SELECT $1::posint AS x`, [-1]],
    ["NUL in text", `SELECT $1::text AS x`, ["a\u0000b"]],
    ["division by zero", `SELECT 1 / ($1::int - 1)`, [1]],
    ["wrong parameter count", `SELECT $1::int + $2::int`, [1]],
  ];

  it.each(FAILING)("rebuilds every field of a %s error (query and named statement) as PGlite in this thread gives it", async (_, text, params) => {
    const [tq, rq] = await both((db) => failure(db.query(text, params)));
    expect(fieldsOf(tq)).toEqual(fieldsOf(rq));
    expect(fieldsOf(tq)).toMatchObject({ isDatabaseError: true });
    const name = `failing-${createHash("sha1").update(text).digest("hex").slice(0, 8)}`;
    const [tn, rn] = await both((_, sql) => failure(sql.query(text, params, name)));
    expect(fieldsOf(tn)).toEqual(fieldsOf(rn));
    // The database still answers.
    expect((await thread.query(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
  }, T);

  it("rebuilds every field of an exec (simple query) error, with what ran before it undone as in PGlite in this thread", async () => {
    const script = `INSERT INTO pipe VALUES (-1, 'exec'); INSERT INTO child (id, v) VALUES (1, 'dup'); INSERT INTO pipe VALUES (-2, 'exec')`;
    const [te, re] = await both((db) => failure(db.exec(script)));
    expect(fieldsOf(te)).toEqual(fieldsOf(re));
    const [tc, rc] = await both((db) => db.query(`SELECT count(*)::int AS c FROM pipe WHERE id < 0`));
    expect(tc).toEqual(rc);
  }, T);

  it("an error in the middle of 500 pipelined named statements fails only that one, in order", async () => {
    await thread.query(`INSERT INTO pipe VALUES (1250, 'there first')`);
    const insert = (id: number) => tsql.query<{ id: number }>(`INSERT INTO pipe (id, v) VALUES ($1, $2) RETURNING id`, [id, `v${id}`], "pipe-insert");
    const sent = Array.from({ length: 500 }, (_, i) => insert(1000 + i));
    const count = tsql.query<{ c: number }>(`SELECT count(*)::int AS c FROM pipe WHERE id >= 1000 AND id < 1500`, [], "pipe-count");
    const settled = await Promise.allSettled(sent);
    const rejected = settled.flatMap((s, i) => (s.status === "rejected" ? [i] : []));
    expect(rejected).toEqual([250]);
    expect((settled[250] as PromiseRejectedResult).reason).toMatchObject({ code: "23505", constraint: "pipe_pkey" });
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value[0]!.id : null))).toEqual(Array.from({ length: 500 }, (_, i) => (i === 250 ? null : 1000 + i)));
    expect(await count).toEqual([{ c: 500 }]);
  }, T);

  it("interleaved named statements and queries sent without waiting each get their own result", async () => {
    const sent: Promise<number>[] = [];
    for (let i = 0; i < 300; i++) {
      sent.push(
        i % 3 === 0
          ? tsql.query<{ n: number }>(`SELECT $1::int AS n`, [i], "echo").then((r) => r[0]!.n)
          : i % 3 === 1
            ? thread.query<{ n: number }>(`SELECT $1::int AS n`, [i]).then((r) => r.rows[0]!.n)
            : i % 30 === 2
              ? tsql.query<{ n: number }>(`SELECT $1::int / 0 AS n`, [i], "echo-fail").then((r) => r[0]!.n, () => i)
              : tsql.query<{ n: number }>(`SELECT $1::int AS n`, [i]).then((r) => r[0]!.n),
      );
    }
    expect(await Promise.all(sent)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  }, T);

  it("a syntax error in a named statement's first prepare fails clearly, and the name works once the text is right", async () => {
    const [t, r] = await both((_, sql) => failure(sql.query(`SELEC $1::int AS x`, [1], "typo")));
    expect(fieldsOf(t)).toEqual(fieldsOf(r));
    expect(t).toMatchObject({ code: "42601" });
    // The same (wrong) text again fails the same way, it is not taken as prepared.
    expect(fieldsOf(await failure(tsql.query(`SELEC $1::int AS x`, [1], "typo")))).toEqual(fieldsOf(t));
    expect(await tsql.query(`SELECT $1::int AS x`, [5], "typo")).toEqual([{ x: 5 }]);
    expect(await tsql.query(`SELECT $1::int AS x`, [6], "typo")).toEqual([{ x: 6 }]);
  }, T);

  it("a named statement failing at bind or execute stays usable, also when pipelined", async () => {
    const q = (v: unknown) => tsql.query<{ x: number }>(`SELECT 10 / $1::int AS x`, [v], "divide");
    const settled = await Promise.allSettled([q(2), q("abc"), q(0), q(5), q(null)]);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as { code: string }).code))).toEqual([[{ x: 5 }], "22P02", "22012", [{ x: 2 }], [{ x: null }]]);
  }, T);

  it("a `fresh` named statement sent 450 times without waiting is prepared again and keeps every result", async () => {
    const sent = Array.from({ length: REPREPARE_CALLS * 2 + 50 }, (_, i) => tsql.query<{ n: number }>(`SELECT $1::int * 2 AS n`, [i], "fresh-double", "fresh"));
    const got = await Promise.all(sent);
    expect(got.map((r) => r[0]!.n)).toEqual(sent.map((_, i) => i * 2));
  }, T);
});

describe("transactions", () => {
  it("a failed statement inside a transaction aborts it (25P02 after), rolls it back, and the database goes on", async () => {
    const outcome = async (db: PGlite) => {
      const seen: unknown[] = [];
      const err = await failure(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO pipe VALUES (2001, 'tx')`);
          seen.push(fieldsOf(await failure(tx.query(`INSERT INTO pipe VALUES (2001, 'tx again')`))));
          seen.push(fieldsOf(await failure(tx.query(`SELECT 1`))));
          seen.push(fieldsOf(await failure(tx.exec(`SELECT 1`))));
          throw new Error("give up");
        }),
      );
      const after = (await db.query(`SELECT count(*)::int AS c FROM pipe WHERE id = 2001`)).rows;
      return { seen, err: fieldsOf(err), after };
    };
    const [t, r] = [await outcome(thread), await outcome(ref)];
    expect(t).toEqual(r);
    expect(t.after).toEqual([{ c: 0 }]);
    expect(t.seen[1]).toMatchObject({ code: "25P02" });
  }, T);

  it("tx.rollback() discards, closes the transaction, and the callback's value is returned", async () => {
    const outcome = async (db: PGlite) => {
      let handle: { query: PGlite["query"]; closed: boolean } | undefined;
      const value = await db.transaction(async (tx) => {
        handle = tx;
        await tx.query(`INSERT INTO pipe VALUES (2002, 'rolled back')`);
        await tx.rollback();
        return "done";
      });
      const useAfter = fieldsOf(await failure(handle!.query(`SELECT 1`)));
      const after = (await db.query(`SELECT count(*)::int AS c FROM pipe WHERE id = 2002`)).rows;
      return { value, closed: handle!.closed, useAfter, after };
    };
    const [t, r] = [await outcome(thread), await outcome(ref)];
    expect(t).toEqual(r);
    expect(t).toMatchObject({ value: "done", closed: true, after: [{ c: 0 }] });
  }, T);

  it("statements sent without waiting before a transaction that throws stay committed; those sent during it wait for it", async () => {
    const before = Array.from({ length: 50 }, (_, i) => tsql.query(`INSERT INTO pipe (id, v) VALUES ($1, 'before') RETURNING id`, [3000 + i], "pipe-before"));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let during: Promise<unknown>[] = [];
    const tx = thread.transaction(async (t) => {
      // Inside, the statements sent before are already done (they ran before BEGIN).
      const seen = (await t.query<{ c: number }>(`SELECT count(*)::int AS c FROM pipe WHERE id >= 3000 AND id < 3050`)).rows[0]!.c;
      await t.query(`INSERT INTO pipe VALUES (3100, 'inside')`);
      entered();
      // Sent from outside while the transaction is open: they must not run inside it.
      await new Promise((r) => setImmediate(r));
      await t.query(`UPDATE pipe SET v = 'touched' WHERE id = 3000`);
      throw new Error(`abandon after seeing ${seen}`);
    });
    await inside;
    during = [
      tsql.query<{ c: number }>(`SELECT count(*)::int AS c FROM pipe WHERE id = 3100`, [], "pipe-3100"),
      thread.query<{ v: string }>(`SELECT v FROM pipe WHERE id = 3000`).then((r) => r.rows),
    ];
    await expect(tx).rejects.toThrow("abandon after seeing 50");
    expect(await Promise.all(before)).toHaveLength(50);
    expect(await Promise.all(during)).toEqual([[{ c: 0 }], [{ v: "before" }]]);
  }, T);

  it("serializes 40 concurrent read-modify-write transactions (no lost update)", async () => {
    await thread.query(`UPDATE counter SET n = 0 WHERE id = 1`);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        thread.transaction(async (tx) => {
          const { n } = (await tx.query<{ n: number }>(`SELECT n FROM counter WHERE id = 1`)).rows[0]!;
          await new Promise((r) => setImmediate(r));
          await tx.query(`UPDATE counter SET n = $1 WHERE id = 1`, [n + 1]);
        }),
      ),
    );
    expect((await thread.query(`SELECT n FROM counter WHERE id = 1`)).rows).toEqual([{ n: 40 }]);
  }, T);

  it("Prisma: an interactive transaction keeps concurrent outside queries (Prisma and plain SQL) out, and rolls back", async () => {
    const db = await openPgliteThread(null);
    await applyMigrations(pgliteDriver(db));
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
    const sql = pgliteSql(db);
    try {
      await prisma.organization.create({ data: { id: "org_a", name: "A", slug: "a" } });
      let entered!: () => void;
      const inside = new Promise<void>((r) => (entered = r));
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const tx = prisma.$transaction(
        async (t) => {
          await t.organization.update({ where: { id: "org_a" }, data: { name: "in tx" } });
          await t.organization.create({ data: { id: "org_b", name: "B", slug: "b" } });
          entered();
          await held;
          expect(await t.organization.count()).toBe(2);
          throw new Error("roll it back");
        },
        { timeout: 30_000 },
      );
      await inside;
      const outside = [
        prisma.organization.findUnique({ where: { id: "org_a" } }).then((o) => o?.name),
        prisma.organization.count(),
        sql.query<{ name: string }>(`SELECT name FROM "Organization" WHERE id = $1`, ["org_a"], "org-name").then((r) => r[0]?.name),
        db.query<{ c: number }>(`SELECT count(*)::int AS c FROM "Organization"`).then((r) => r.rows[0]!.c),
      ];
      // None answers while the transaction is open (each would have to run inside it).
      const early = await within(Promise.race(outside), 300);
      release();
      await expect(tx).rejects.toThrow("roll it back");
      expect(early).toBe(HUNG);
      expect(await Promise.all(outside)).toEqual(["A", 1, "A", 1]);
      // A transaction that commits, with outside queries racing it.
      const committed = prisma.$transaction(async (t) => {
        await t.organization.create({ data: { id: "org_c", name: "C", slug: "c" } });
        return t.organization.count();
      });
      const racing = Array.from({ length: 20 }, () => prisma.organization.count());
      expect(await committed).toBe(2);
      for (const n of await Promise.all(racing)) expect([1, 2]).toContain(n);
    } finally {
      await prisma.$disconnect();
      await db.close();
    }
  }, T);
});

describe("lifecycle", () => {
  const openItems = async () => {
    const db = await openPgliteThread(null);
    await db.exec(`CREATE TABLE item (id int PRIMARY KEY)`);
    return db;
  };

  it("close() while 300 statements are pending: each settles with its own result, then it closes", async () => {
    const db = await openItems();
    const sql = pgliteSql(db);
    await sql.query(`SELECT 1`, [], "warm"); // prepared
    const sent: Promise<unknown>[] = [];
    for (let i = 0; i < 300; i++) {
      sent.push(i % 2 ? sql.query(`INSERT INTO item VALUES ($1) RETURNING id`, [i], "ins") : db.query(`INSERT INTO item VALUES ($1) RETURNING id`, [i]));
    }
    const closing = db.close();
    const settled = await Promise.allSettled(sent);
    expect(await within(closing, 30_000)).toEqual({ ok: undefined });
    expect(settled.filter((s) => s.status === "rejected").map((s) => String((s as PromiseRejectedResult).reason))).toEqual([]);
    expect(db.closed).toBe(true);
  }, T);

  it("close() while a transaction is open waits for it to end (it commits), then closes", async () => {
    const db = await openItems();
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = db.transaction(async (t) => {
      await t.query(`INSERT INTO item VALUES (1)`);
      entered();
      await held;
      await t.query(`INSERT INTO item VALUES (2)`);
      return (await t.query<{ c: number }>(`SELECT count(*)::int AS c FROM item`)).rows[0]!.c;
    });
    await inside;
    const closing = db.close();
    const early = await within(closing, 200);
    release();
    expect(early).toBe(HUNG);
    expect(await tx).toBe(2);
    expect(await within(closing, 30_000)).toEqual({ ok: undefined });
  }, T);

  it("close() twice (concurrently, then again) resolves each time", async () => {
    const db = await openItems();
    const twice = await within(Promise.all([db.close(), db.close()]), 30_000);
    expect(twice).toEqual({ ok: [undefined, undefined] });
    expect(await within(db.close(), 30_000)).toEqual({ ok: undefined });
  }, T);

  it("every way of querying after close() rejects clearly (none hangs)", async () => {
    const db = await openItems();
    const sql = pgliteSql(db);
    await sql.query(`SELECT 1 AS one`, [], "prepared-before");
    await db.close();
    const attempts = {
      query: db.query(`SELECT 1`),
      exec: db.exec(`SELECT 1`),
      transaction: db.transaction(async (t) => t.query(`SELECT 1`)),
      namedPrepared: sql.query(`SELECT 1 AS one`, [], "prepared-before"),
      namedNew: sql.query(`SELECT 2 AS two`, [], "new-after"),
      unnamed: sql.query(`SELECT 3`),
      dump: db.dumpDataDir(),
      sync: db.syncToFs(),
    };
    const outcomes: Record<string, string> = {};
    for (const [k, p] of Object.entries(attempts)) {
      const o = await within(p as Promise<unknown>, 10_000);
      outcomes[k] = o === HUNG ? "hung" : "ok" in o ? "resolved" : String((o.err as Error).message);
    }
    for (const [k, v] of Object.entries(outcomes)) expect(`${k}: ${v}`).toMatch(/: .*closed/);
  }, T);

  it("statements racing close() (sent just after it) settle, none hangs or resolves from a closed database silently wrong", async () => {
    const db = await openItems();
    const sql = pgliteSql(db);
    await sql.query(`SELECT 1 AS one`, [], "race-prepared");
    const closing = db.close();
    const racing = [
      db.query<{ one: number }>(`SELECT 1 AS one`).then((r) => r.rows),
      sql.query(`SELECT 1 AS one`, [], "race-prepared"),
      sql.query(`SELECT 1 AS one`, [], "race-new"),
      db.exec(`SELECT 1 AS one`).then((r) => r[0]!.rows),
    ];
    const outcomes = await Promise.all(racing.map((p) => within(p, 20_000)));
    expect(await within(closing, 20_000)).toEqual({ ok: undefined });
    for (const o of outcomes) {
      expect(o).not.toBe(HUNG);
      if (o !== HUNG && "ok" in o) expect(o.ok).toEqual([{ one: 1 }]);
      else if (o !== HUNG) expect(String((o.err as Error).message)).toMatch(/closed|closing/);
    }
  }, T);

  it.each(["none", "gzip", "auto"] as const)("dumpDataDir(%s) opens as a copy, in a thread and in this thread, and a dump of PGlite in this thread opens in a thread", async (compression) => {
    const src = await openItems();
    await src.query(`INSERT INTO item VALUES (7)`);
    try {
      const dump = await src.dumpDataDir(compression);
      const refDump = await ref.dumpDataDir(compression);
      const copy = await openPgliteThread(null, dump);
      expect((await copy.query(`SELECT id FROM item`)).rows).toEqual([{ id: 7 }]);
      await copy.query(`INSERT INTO item VALUES (8)`);
      await copy.close();
      expect((await src.query(`SELECT id FROM item`)).rows).toEqual([{ id: 7 }]); // a copy, not the same data
      const here = new PGlite({ loadDataDir: dump });
      expect((await here.query(`SELECT id FROM item`)).rows).toEqual([{ id: 7 }]);
      await here.close();
      const fromRef = await openPgliteThread(null, refDump);
      expect((await fromRef.query(`SELECT count(*)::int AS c FROM counter`)).rows).toEqual([{ c: 1 }]);
      await fromRef.close();
      // Last: the dump's type says whether it is compressed (PGlite's loadDataDir reads it), as PGlite's own dump does.
      expect(dump.type).toBe(refDump.type);
    } finally {
      await src.close();
    }
  }, T);

  it("a data directory that is a file fails the open clearly, without hanging", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-thread-file-"));
    try {
      const file = path.join(dir, "not-a-dir");
      writeFileSync(file, "hello");
      const opened = await within(openPgliteThread(file), 30_000);
      expect(opened).not.toBe(HUNG);
      expect(opened).toHaveProperty("err");
      if (opened !== HUNG && "ok" in opened) await opened.ok.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, T);

  it("a template that is not a dump fails the open clearly, without hanging", async () => {
    const opened = await within(openPgliteThread(null, new Blob([new Uint8Array(4096).fill(7)])), 30_000);
    expect(opened).not.toBe(HUNG);
    expect(opened).toHaveProperty("err");
    if (opened !== HUNG && "err" in opened) expect(opened.err).toBeInstanceOf(Error);
    if (opened !== HUNG && "ok" in opened) await opened.ok.close();
  }, T);

  it("a thread that reports an error fails what waits and what comes after, and close() still ends", async () => {
    const db = new PGliteThread(null);
    await db.waitReady;
    const worker = (db as unknown as { worker: Worker }).worker;
    const pending = db.query(`SELECT count(*) FROM generate_series(1, 5000000)`);
    worker.emit("error", new Error("simulated crash in the thread"));
    await expect(pending).rejects.toThrow("simulated crash in the thread");
    await expect(db.query(`SELECT 1`)).rejects.toThrow("simulated crash in the thread");
    await expect(pgliteSql(db as unknown as PGlite).query(`SELECT 1`, [], "after-crash")).rejects.toThrow("simulated crash in the thread");
    expect(await within(db.close(), 30_000)).toEqual({ ok: undefined });
  }, T);
});

describe("LISTEN/NOTIFY", () => {
  it("listen() rejects clearly, and LISTEN/NOTIFY in SQL neither hangs nor breaks the database", async () => {
    await expect(within(thread.listen("chan", () => {}), 10_000)).resolves.toMatchObject({ err: expect.objectContaining({ message: expect.stringMatching(/not supported/) }) });
    const inTx = await within(thread.transaction((tx) => tx.listen("chan", () => {})), 10_000);
    expect(inTx).toMatchObject({ err: expect.objectContaining({ message: expect.stringMatching(/not supported/) }) });
    expect(await within(thread.exec(`LISTEN chan; NOTIFY chan, 'hi'; SELECT pg_notify('chan', 'again')`), 10_000)).not.toBe(HUNG);
    expect((await thread.query(`SELECT 1 AS one`)).rows).toEqual([{ one: 1 }]);
    // PGlite's other notification methods: whatever they do, they fail at once and clearly.
    const other = thread as unknown as { unlisten?: unknown; onNotification?: unknown };
    const calls = { unlisten: () => (other.unlisten as (c: string) => Promise<void>)("chan"), onNotification: () => (other.onNotification as (cb: () => void) => unknown)(() => {}) };
    for (const [k, call] of Object.entries(calls)) {
      let outcome: unknown;
      try {
        outcome = await within(Promise.resolve(call()), 5_000);
      } catch (err) {
        outcome = { thrown: (err as Error).message };
      }
      console.log(`${k}():`, outcome === HUNG ? "hung" : JSON.stringify(outcome));
      expect(outcome).not.toBe(HUNG);
    }
  }, T);
});

describe("process behaviour", () => {
  const script = async (body: string, env: Record<string, string> = {}) => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-thread-script-"));
    const file = path.join(dir, "script.mts");
    const imports = `import { openPgliteThread } from ${JSON.stringify(path.resolve("lib/db/pglite-thread.ts"))};\nimport { pgliteSql } from ${JSON.stringify(path.resolve("lib/db/sql.ts"))};\n`;
    writeFileSync(file, imports + body);
    try {
      return await run(process.execPath, ["--import", "tsx", file], { cwd: process.cwd(), timeout: 50_000, env: { ...process.env, ...env } }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code?: number; killed?: boolean; signal?: string; stdout?: string; stderr?: string }) => ({ code: e.killed ? "killed (hung)" : (e.code ?? e.signal), stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it("a script that sends statements without awaiting them and never closes ends once they are written", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-thread-ff-"));
    try {
      const data = JSON.stringify(path.join(dir, "data"));
      const first = await script(`
const db = await openPgliteThread(${data});
await db.exec("CREATE TABLE t (id int)");
const sql = pgliteSql(db);
for (let i = 0; i < 100; i++) void sql.query("INSERT INTO t VALUES ($1)", [i], "ins");
void db.query("INSERT INTO t VALUES (1000)");
`);
      expect(first).toMatchObject({ code: 0 });
      const second = await script(`
const db = await openPgliteThread(${data});
console.log(JSON.stringify((await db.query("SELECT count(*)::int AS c FROM t")).rows));
`);
      expect(second).toMatchObject({ code: 0 });
      expect(second.stdout.trim()).toBe(`[{"c":101}]`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it("a script that fails after opening ends with its error (the thread does not hold it)", async () => {
    const out = await script(`
const db = await openPgliteThread(null);
await db.query("SELECT 1");
throw new Error("script failed");
`);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain("script failed");
  }, T);

  it("a script whose open fails (bad template) ends with the error", async () => {
    const out = await script(`
await openPgliteThread(null, new Blob([new Uint8Array(4096).fill(7)]));
console.log("opened");
`);
    expect(out.code).not.toBe("killed (hung)");
    expect(out.code).not.toBe(0);
  }, T);

  it("a script that leaves an interactive transaction waiting on a promise that never settles ends", async () => {
    const out = await script(`
const db = await openPgliteThread(null);
void db.transaction(async (tx) => { await tx.query("SELECT 1"); await new Promise(() => {}); });
await db.query("SELECT 1").catch(() => {});
console.log("done");
`);
    // The statement after the transaction can never run; the script ends anyway (nothing is pending on the thread).
    expect(out.code).not.toBe("killed (hung)");
  }, T);
});
