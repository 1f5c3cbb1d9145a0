// Counting what one database on a PostgreSQL server executes: statements from pg_stat_statements
// when the server preloads it, else transactions from pg_stat_database (which every server has).
import pg from "pg";
import { sleep } from "./load";

/** Makes a throwaway cluster preload pg_stat_statements (ALTER SYSTEM, then a restart). */
export async function preloadStatementStats(cluster: { url: string; pause: () => void; resume: () => void }): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    await client.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  } finally {
    await client.end();
  }
  cluster.pause();
  cluster.resume();
}

export interface StatementCounter {
  unit: "statements" | "transactions";
  /** The count so far, once the server has stopped adding to it. */
  settled(): Promise<number>;
  close(): Promise<void>;
}

/** Counts the statements (or transactions) run in database `name`, read through `serverUrl`. */
export async function statementCounter(serverUrl: string, name: string): Promise<StatementCounter> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  let unit: StatementCounter["unit"] = "statements";
  try {
    await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    await client.query("SELECT 1 FROM pg_stat_statements LIMIT 1");
  } catch {
    unit = "transactions";
  }
  const sql =
    unit === "statements"
      ? "SELECT coalesce(sum(calls), 0)::bigint AS n FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)"
      : "SELECT (xact_commit + xact_rollback)::bigint AS n FROM pg_stat_database WHERE datname = $1";
  const read = async () => Number((await client.query<{ n: string }>(sql, [name])).rows[0]?.n ?? 0);
  // pg_stat_statements counts as statements end; pg_stat_database hears from a backend up to
  // 10 s after its transactions, so "settled" waits for the count to hold still that long.
  const quietMs = unit === "statements" ? 1500 : 11_000;
  return {
    unit,
    settled: async () => {
      let last = await read();
      for (;;) {
        await sleep(quietMs);
        const now = await read();
        if (now === last) return now;
        last = now;
      }
    },
    close: () => client.end(),
  };
}
