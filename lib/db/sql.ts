import { createHash } from "node:crypto";
import { parse, protocol, type messages, type PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import { coalesced, type Written } from "./coalesce";

export type { Written } from "./coalesce";

// The hot path's way to the database: plain SQL with positional parameters, no query compiler in
// between. Accepting a lead event and claiming and recording deliveries run here; the admin side
// keeps Prisma. On PostgreSQL it shares the process's pool with Prisma; on PGlite it queries the
// one PGlite instance, which runs one statement (or one Prisma transaction) at a time.
//
// Results: text, numbers, booleans and JSON come back as JavaScript values on both databases.
// Timestamps are read as text by the queries that need them (`iso(...)` below) and parsed where
// they are used, so no driver's time zone handling is involved.

/**
 * How a named statement is planned. `kept` (the default): PostgreSQL's plan cache decides, and after
 * a few calls keeps one generic plan for the connection's life. `fresh`: planned for the tables as
 * they are now, for a statement whose best plan changes as a table grows (a plan made while a table
 * was small reads all of it once it is not). On PostgreSQL the statement then goes unnamed (parsed
 * and planned on every call, which costs less than a millisecond); on PGlite, where parsing is
 * dearer and nothing analyzes the tables, it is prepared again every REPREPARE_CALLS calls.
 */
export type Planning = "kept" | "fresh";

export interface Sql {
  /** Runs one statement; `name` keeps its parse and plan (on each PostgreSQL connection, in the PGlite instance) for the next call, as `planning` says. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[], name?: string, planning?: Planning): Promise<T[]>;
  /**
   * Set on the handles unrelated callers share (the pool, the one PGlite), never on a transaction:
   * insertAll may then carry concurrent callers' rows in one statement (coalesce.ts).
   */
  readonly shared?: boolean;
  /**
   * Set on PGlite: statements run one at a time in this thread, each within the turn of the event
   * loop that issued it, so concurrent callers never find one in flight; insertAll's merging then
   * waits for the end of the turn instead (coalesce.ts).
   */
  readonly inThread?: boolean;
}

export function pgSql(pool: pg.Pool): Sql {
  return {
    shared: true,
    query: async <T,>(text: string, params: readonly unknown[] = [], name?: string, planning: Planning = "kept") =>
      (await pool.query({ text, values: params as unknown[], ...(name && planning === "kept" ? { name } : {}) })).rows as T[],
  };
}

/** On PGlite, a statement planned `fresh` is prepared again after this many calls. */
export const REPREPARE_CALLS = 200;

export function pgliteSql(db: PGlite): Sql {
  const prepared = new Map<string, Prepared>();
  return {
    shared: true,
    inThread: !inOrder(db),
    query: async <T,>(text: string, params: readonly unknown[] = [], name?: string, planning: Planning = "kept") =>
      name ? runNamed<T>(db, prepared, name, text, params, planning === "fresh" ? REPREPARE_CALLS : Infinity) : (await db.query<T>(text, params as unknown[])).rows,
  };
}

interface Prepared {
  types: number[];
  calls: number;
}

const { serialize } = protocol;
const joined = (...parts: Uint8Array[]) => Buffer.concat(parts);

/**
 * A named statement on PGlite, as PostgreSQL's extended protocol runs it: parsed (and its
 * parameter types described) once per instance, then bound and executed, so the plan of the
 * hot path's large statements is made once instead of on every call (PGlite's query() parses each
 * time: a claim took about 5 times as long). Runs under the same locks as query() (after any open
 * transaction, one statement at a time), serializes parameters and parses rows as query() does.
 */
async function runNamed<T>(db: PGlite, prepared: Map<string, Prepared>, name: string, text: string, params: readonly unknown[], reprepareAfter: number): Promise<T[]> {
  const sent = await db._runExclusiveTransaction(() =>
    db._runExclusiveQuery(async () => {
      let statement = prepared.get(name);
      if (statement && statement.calls >= reprepareAfter) {
        await db.execProtocol(joined(serialize.close({ type: "S", name }), serialize.sync()));
        statement = undefined;
      }
      if (!statement) {
        const described = await db.execProtocol(joined(serialize.parse({ name, text, types: [] }), serialize.describe({ type: "S", name }), serialize.sync()));
        statement = { types: parse.parseDescribeStatementResults(described.messages), calls: 0 };
        prepared.set(name, statement);
      }
      statement.calls++;
      const types = statement.types;
      const values = params.map((v, i) => (v === null || v === undefined ? null : (db.serializers[types[i]!]?.(v) ?? String(v))));
      const run = joined(serialize.bind({ statement: name, values }), serialize.describe({ type: "P" }), serialize.execute({}), serialize.sync());
      // On its own thread, PGlite takes the statement in turn and the locks are let go at once
      // (wrapped, so the lock does not wait for it); in this thread it runs under them.
      if (inOrder(db)) return { messages: db.sendInOrder(run) };
      const { messages } = await db.execProtocol(run);
      return { messages: Promise.resolve(messages) };
    }),
  );
  return parse.parseResults(await sent.messages, db.parsers)[0]!.rows as T[];
}

/** PGlite on its own thread (pglite-thread.ts), which takes whole exchanges in the order they are sent. */
function inOrder(db: PGlite): db is PGlite & { sendInOrder(bytes: Uint8Array): Promise<messages.BackendMessage[]> } {
  return typeof (db as { sendInOrder?: unknown }).sendInOrder === "function";
}

/** Statements run through a Prisma client or interactive transaction (so they join its transaction). */
export function prismaSql(tx: { $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> }): Sql {
  return { query: <T,>(text: string, params: readonly unknown[] = []) => tx.$queryRawUnsafe<T[]>(text, ...params) };
}

/** A timestamp column as ISO 8601 text in UTC (columns are `timestamp(3)` holding UTC). */
export const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A JavaScript Date (or ISO text) as a parameter for a `timestamp(3)` column holding UTC. */
export const utc = (param: string) => `(${param}::timestamptz AT TIME ZONE 'UTC')`;

/** Column types insertAll knows: `timestamp` takes a Date or ISO text and stores it as UTC. */
export type ColumnType = "text" | "int" | "boolean" | "jsonb" | "text[]" | "timestamp" | `enum:${string}`;

/** Rows for one table: each row an object keyed by column name (absent or undefined: NULL, not the column's default). */
export interface TableRows {
  table: string;
  columns: Record<string, ColumnType>;
  rows: readonly Record<string, unknown>[];
  /** Skip a row that a unique index already holds, instead of failing the statement. */
  skipDuplicates?: boolean;
  /**
   * Columns whose value is an SQL expression over the row as given (`x`, its columns as their
   * record types: timestamps as text), instead of the value itself; the expression may read other
   * tables (as they were when the statement began).
   */
  expressions?: Readonly<Record<string, string>>;
  /** What the insert returns to `Reading.text` (columns of the inserted rows; default: nothing usable). */
  returning?: string;
}

/**
 * A value a write reads once its inserts are done, in the same statement: `text(cte)` is an SQL
 * expression (a scalar subquery) that may select from `cte(table)`, the rows inserted into that
 * table (what its `returning` names). A statement carrying several callers' rows reads for all
 * of them: each caller picks out its own.
 */
export interface Reading {
  text(cte: (table: string) => string): string;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * A condition the rows are written under, checked in the same statement: a query (its parameters
 * numbered from $1) that must return a row, else nothing is written and insertAll throws
 * GuardFailedError. It lets a caller act on what it read earlier (a cached row) and have the write
 * itself confirm that the row still holds, instead of reading it again first.
 */
export interface Guard {
  text: string;
  params: readonly unknown[];
}

const GUARD_FAILED = "guard_failed";

/** The guard's query returned no row: nothing was written. */
export class GuardFailedError extends Error {
  readonly code = GUARD_FAILED;
  constructor() {
    super("The write's guard did not hold: nothing was written.");
  }
}

/** By its code, not its class: the server is bundled in several chunks, each with its own copy. */
export const isGuardFailed = (err: unknown) => (err as { code?: unknown } | null)?.code === GUARD_FAILED;

/**
 * Inserts rows into several tables in one statement (so one round trip and one implicit
 * transaction: all of them or none), each table's rows passed as one JSON parameter. Tables are
 * written in the order given; a row may reference a row of an earlier table (foreign keys are
 * checked at the end of the statement). Returns how many rows each table got. On a shared handle,
 * concurrent guarded calls of the same tables, columns and guard may share the statement
 * (coalesce.ts): each still settles once its own rows are committed, or fails alone.
 */
export async function insertAll(q: Sql, tables: readonly TableRows[], guard?: Guard): Promise<number[]> {
  return (await writeAll(q, tables, guard)).counts;
}

/** insertAll, reading `reading` once the rows are written (its value is Written.read). */
export async function writeAll(q: Sql, tables: readonly TableRows[], guard?: Guard, reading?: Reading): Promise<Written> {
  const { text, name } = writeStatement(tables, guard, reading);
  const run = async (rows: readonly (readonly unknown[])[]): Promise<Written> => {
    const [row] = await q.query<Record<string, unknown>>(text, [...rows.map((r) => JSON.stringify(r)), ...(guard?.params ?? [])], name);
    if (guard && !row!.held) throw new GuardFailedError();
    return { counts: tables.map((_, i) => Number(row![`n${i}`])), read: row!.read };
  };
  const rows = tables.map((t) => t.rows);
  // Only calls under the same guard merge (one API key of one organization): a call without one
  // could share a statement with any organization's, whose locked row would then hold it up.
  if (!q.shared || !guard || tables.some((t) => t.skipDuplicates)) return run(rows);
  return coalesced(q, { key: `${name}\0${JSON.stringify(guard.params)}`, run, sharedFailure: isGuardFailed, atTurnEnd: q.inThread }, rows);
}

/**
 * writeAll's statement, made once per shape: its tables (each by name, columns, expressions,
 * returning and skipDuplicates), guard and reading. Lead intake writes the same few shapes over and
 * over, and building the text (and hashing it for its name) took as much of a request's time as
 * its validation. The shapes' parts are the callers' constants, so the key names them by identity;
 * a caller that made them afresh for each call would only fill the memo, which is then started over.
 */
const shapes = new Map<string, { text: string; name: string }>();
const SHAPES_MAX = 1000;
const identities = new WeakMap<object, number>();
let identified = 0;
const identity = (o: object | undefined) => {
  if (!o) return 0;
  let id = identities.get(o);
  if (id === undefined) identities.set(o, (id = ++identified));
  return id;
};

function writeStatement(tables: readonly TableRows[], guard: Guard | undefined, reading: Reading | undefined): { text: string; name: string } {
  let key = `${guard?.text ?? ""}\0${identity(reading)}`;
  for (const t of tables) key += `\0${t.table}\0${identity(t.columns)}\0${identity(t.expressions)}\0${t.returning ?? ""}\0${t.skipDuplicates ? 1 : 0}`;
  let made = shapes.get(key);
  if (!made) {
    const text = statementText(tables, guard, reading);
    if (shapes.size >= SHAPES_MAX) shapes.clear();
    shapes.set(key, (made = { text, name: statementName(text) }));
  }
  return made;
}

function statementText(tables: readonly TableRows[], guard: Guard | undefined, reading: Reading | undefined): string {
  const offset = tables.length;
  const guarded = guard ? " WHERE EXISTS (SELECT 1 FROM guard)" : "";
  const ctes = [
    ...(guard ? [`guard AS (${guard.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`)})`] : []),
    ...tables.map((t, i) => `t${i} AS (${insertFrom(t, i + 1, guarded)})`),
  ];
  const cte = (table: string) => {
    const i = tables.findIndex((t) => t.table === table);
    if (i < 0) throw new Error(`insertAll: no ${table} rows to read`);
    return `t${i}`;
  };
  const counts = [
    ...tables.map((_, i) => `(SELECT count(*) FROM t${i})::int AS n${i}`),
    ...(guard ? ["EXISTS (SELECT 1 FROM guard) AS held"] : []),
    ...(reading ? [`(${reading.text(cte)}) AS read`] : []),
  ].join(", ");
  return `WITH ${ctes.join(", ")} SELECT ${counts}`;
}

/**
 * `INSERT … RETURNING 1` (or `t.returning`) of `t`'s rows, read from parameter `$param` (their
 * JSON): for a statement's WITH. `where` (e.g. ` WHERE EXISTS (…)`) conditions the whole insert.
 */
export function insertFrom(t: TableRows, param: number, where = ""): string {
  const names = Object.keys(t.columns);
  const record = names.map((c) => `${quote(c)} ${recordType(t.columns[c]!)}`).join(", ");
  const values = names.map((c) => t.expressions?.[c] ?? columnValue(`x.${quote(c)}`, t.columns[c]!)).join(", ");
  const conflict = t.skipDuplicates ? " ON CONFLICT DO NOTHING" : "";
  return `INSERT INTO ${quote(t.table)} (${names.map(quote).join(", ")}) SELECT ${values} FROM jsonb_to_recordset($${param}::jsonb) AS x(${record})${where}${conflict} RETURNING ${t.returning ?? "1"}`;
}

const names = new Map<string, string>();

/**
 * A name for a generated statement, so PostgreSQL keeps its plan (a handful of shapes per
 * process). Made from the text itself: every copy of this module (the server is bundled in
 * several chunks) names the same text alike on the shared pool's connections.
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `insert-${createHash("sha1").update(text).digest("hex").slice(0, 20)}`));
  return name;
}

function recordType(type: ColumnType): string {
  if (type === "timestamp" || type.startsWith("enum:")) return "text";
  return type;
}

function columnValue(expr: string, type: ColumnType): string {
  if (type === "timestamp") return utc(expr);
  if (type.startsWith("enum:")) return `${expr}::${quote(type.slice("enum:".length))}`;
  return expr;
}
