import type { Sql } from "./sql";

// Keeping the plans of named statements current while the tables they read grow. PostgreSQL keeps
// one generic plan per named statement after a few calls (on each connection; PGlite, in its one
// session), made for the tables as they were then, and makes it again only once a table it reads
// is analyzed. Autovacuum analyzes a table after about a tenth of it changed, but visits each
// database once a minute, and PGlite has no autovacuum at all. So a delivery table that grows from
// nearly empty to tens of thousands of rows within a minute (a new installation taking its first
// burst of leads) was served by plans made for a few rows: a join by id read the whole table, and
// a claim could read every queue's backlog. A delivering process therefore checks, every few
// seconds, whether the hot path's tables have more than doubled (in pages) since they were last
// analyzed, and analyzes those that have; every session's plans that read them are then made
// again. That is one ANALYZE per doubling: a dozen over a table's first ten million rows.

/** The tables the hot path's statements read and that grow with traffic. */
const TABLES = ["Delivery", "DeliveryAttempt", "Event", "Lead"];

/** A table counts as grown once it has more than twice its pages at the last analysis, and more than this. */
const MIN_PAGES = 8;

/** Analyzes the hot path's tables that have more than doubled since they were last analyzed; returns their names. */
export async function analyzeGrown(sql: Sql): Promise<string[]> {
  const grown = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])
       AND pg_relation_size(c.oid) / current_setting('block_size')::int > 2 * GREATEST(c.relpages, $2)`,
    [TABLES, MIN_PAGES],
  );
  for (const { name } of grown) await sql.query(`ANALYZE "${name.replace(/"/g, '""')}"`);
  return grown.map((g) => g.name);
}

const keepers = new WeakMap<Sql, () => void>();

/** After a failed check, the next one waits this long. */
const AFTER_FAILURE_MS = 60_000;

/**
 * Returns a function to call as often as convenient (the pipeline calls it before each claim): at
 * most every `everyMs` it runs analyzeGrown in the background, never two at once. A failure (the
 * database unreachable for a moment) is logged the first time and the check tried again a minute
 * later. (A database user that does not own the tables gets a warning from ANALYZE, not an error:
 * its plans then wait for autovacuum, as before.)
 */
export function planKeeper(sql: Sql, everyMs = 2000): () => void {
  let keeper = keepers.get(sql);
  if (!keeper) {
    let next = 0;
    let running = false;
    let logged = false;
    keeper = () => {
      if (running || Date.now() < next) return;
      running = true;
      next = Date.now() + everyMs;
      analyzeGrown(sql)
        .catch((err: unknown) => {
          next = Date.now() + AFTER_FAILURE_MS;
          if (!logged) console.error("dispatcher: analyzing grown tables (plans may stay as they are until autovacuum analyzes them):", err instanceof Error ? err.message : err);
          logged = true;
        })
        .finally(() => (running = false));
    };
    keepers.set(sql, keeper);
  }
  return keeper;
}
