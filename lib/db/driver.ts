import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { within } from "@/lib/core/within";
import { openPgliteThread } from "./pglite-thread";

/** How long a new PostgreSQL connection may take to be made. */
export const CONNECT_TIMEOUT_MS = 10_000;
/** The longest a statement runs on PostgreSQL unless the caller says otherwise (DATABASE_QUERY_TIMEOUT_SECONDS' default). */
export const DEFAULT_QUERY_TIMEOUT_MS = 30_000;
/** The client waits this much past the server's statement timeout (which answers with an error) before it gives up. */
export const QUERY_TIMEOUT_GRACE_MS = 2_000;
/** How long closing may wait for connections to confirm their end. */
export const CLOSE_TIMEOUT_MS = 5_000;

/** The least a migration applier needs from a database: run a script, run a query. */
export interface RawDriver {
  kind: "pglite" | "postgres";
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string | null } // null: in memory
  | { kind: "postgres"; url: string };

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("pglite:")) {
    const rest = url.slice("pglite:".length);
    if (rest === "memory" || rest === "memory://") return { kind: "pglite", dataDir: null };
    if (!rest) throw new Error("DATABASE_URL: pglite: needs a directory, e.g. pglite:./data/pglite");
    return { kind: "pglite", dataDir: path.resolve(rest.replace(/^file:\/\//, "")) };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: "postgres", url };
  throw new Error(`DATABASE_URL: expected pglite:<dir>, pglite:memory or postgres://…, got "${url}"`);
}

/**
 * Opens PGlite on a thread of its own (pglite-thread.ts). `template`: for an in-memory database, a
 * data directory dumped by PGlite to start from (no initdb).
 */
export async function openPglite(dataDir: string | null, template?: Blob): Promise<PGlite> {
  if (dataDir) mkdirSync(path.dirname(dataDir), { recursive: true });
  return openPgliteThread(dataDir, template);
}

export function pgliteDriver(db: PGlite): RawDriver {
  return {
    kind: "pglite",
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <T,>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
    close: async () => {
      if (!db.closed) await db.close();
    },
  };
}

/**
 * The server did not answer in time: named by its address, which is what an operator checks first.
 * Its code is the one Node gives a socket that timed out, so callers that tell an unreachable
 * database from a bad request (unavailable.ts) count it as one.
 */
class DatabaseUnansweredError extends Error {
  readonly code = "ETIMEDOUT";
}

/** Drops `client`'s connection at once (pg's Client has no public way to; its socket is `connection.stream`). */
export function dropConnection(client: pg.Client): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** Ends `client`, politely when its peer confirms within `ms`, else by dropping its connection. */
export async function endConnection(client: pg.Client, ms: number): Promise<void> {
  const ended = await within(client.end(), ms, () => new Error("unanswered")).then(() => true, () => false);
  if (!ended) dropConnection(client);
}

/** Where `client` connects, as it would appear in DATABASE_URL. */
function serverAddress(client: pg.Client): string {
  if (client.host.startsWith("/")) return `${client.host} (socket)`;
  return `${client.host.includes(":") ? `[${client.host}]` : client.host}:${client.port}`;
}

/**
 * One connection for the migration applier, which every process runs before anything else: a
 * server that accepts connections and never answers (or a host that vanished) must stop start-up
 * with a message, not hold it silently. Making the connection is bounded by CONNECT_TIMEOUT_MS, and
 * query() (taking the migration lock, reading and writing the history) by the query timeout plus
 * its grace, as on the pool. exec() runs the migration scripts themselves and is not bounded: a
 * migration may rewrite a large table for longer than any statement of the app, and stopping it
 * halfway would fail every start after it too.
 */
export async function postgresDriver(url: string, { queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS }: { queryTimeoutMs?: number } = {}): Promise<RawDriver> {
  const client = new pg.Client({ connectionString: url, keepAlive: true });
  // A dropped connection fails the statement waiting on it; unheard, it would also crash the process.
  client.on("error", () => {});
  const where = serverAddress(client);
  const bounded = async <T,>(work: Promise<T>, ms: number, unanswered: (seconds: number) => string): Promise<T> => {
    try {
      return await within(work, ms, () => new DatabaseUnansweredError(`the database at ${where} ${unanswered(Math.round(ms / 1000))}: check DATABASE_URL, and that PostgreSQL runs there and is reachable`));
    } catch (err) {
      if (err instanceof DatabaseUnansweredError) dropConnection(client);
      throw err;
    }
  };
  await bounded(client.connect(), CONNECT_TIMEOUT_MS, (s) => `did not answer within ${s} s of connecting`);
  const queryBound = queryTimeoutMs + QUERY_TIMEOUT_GRACE_MS;
  return {
    kind: "postgres",
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T,>(sql: string, params: unknown[] = []) => (await bounded(client.query(sql, params), queryBound, (s) => `did not answer a statement within ${s} s`)).rows as T[],
    close: () => endConnection(client, CLOSE_TIMEOUT_MS),
  };
}
