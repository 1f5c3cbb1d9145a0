import pg from "pg";
import { afterAll } from "vitest";
import { sql } from "@/lib/db";
import { pgSql, type Sql } from "@/lib/db/sql";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { TEST_DATABASE } from "./db";

export interface OneConnection {
  q: Sql;
  /** Runs a statement as text (unnamed) on the same connection. */
  raw: (text: string) => Promise<Record<string, unknown>[]>;
}

/** A pool of one connection on the test file's PostgreSQL database (closed after the file). */
async function poolOfOne(prisma: () => PrismaClient, pools: pg.Pool[]): Promise<pg.Pool> {
  const [row] = await prisma().$queryRawUnsafe<{ db: string }[]>("SELECT current_database() AS db");
  const url = new URL(process.env.TEST_POSTGRES_URL!);
  url.pathname = `/${row!.db}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  pools.push(pool);
  return pool;
}

/**
 * A handle on the test file's database whose statements all run on one connection (PostgreSQL: a
 * pool of one; PGlite: its one session), so what that connection keeps (prepared statements and
 * their plans) can be read back and explained. Call the returned function inside a test; the pools
 * are closed after the file.
 */
export function useOneConnection(prisma: () => PrismaClient): () => Promise<OneConnection> {
  const pools: pg.Pool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.end())));
  return async () => {
    if (TEST_DATABASE === "pglite") {
      const q = await sql();
      return { q, raw: (text) => q.query(text) };
    }
    const pool = await poolOfOne(prisma, pools);
    return { q: pgSql(pool), raw: async (text) => (await pool.query(text)).rows };
  };
}

/**
 * A connection of its own on the test file's database, beside the process's (PostgreSQL only: a
 * transaction held open on it is another process's, as far as the app can tell). Call the returned
 * function inside a test; the connections are closed after the file.
 */
export function useOwnConnections(prisma: () => PrismaClient): () => Promise<pg.PoolClient> {
  const pools: pg.Pool[] = [];
  afterAll(async () => Promise.all(pools.map((p) => p.end())));
  return async () => (await poolOfOne(prisma, pools)).connect();
}
