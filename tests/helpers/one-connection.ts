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
    const [row] = await prisma().$queryRawUnsafe<{ db: string }[]>("SELECT current_database() AS db");
    const url = new URL(process.env.TEST_POSTGRES_URL!);
    url.pathname = `/${row!.db}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    pools.push(pool);
    return { q: pgSql(pool), raw: async (text) => (await pool.query(text)).rows };
  };
}
