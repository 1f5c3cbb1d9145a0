import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openPgliteThread } from "./pglite-thread";

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

export async function postgresDriver(url: string): Promise<RawDriver> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    kind: "postgres",
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T,>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    close: () => client.end(),
  };
}
