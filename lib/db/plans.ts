import type { Sql } from "./sql";

// Keeping the plans of named statements current while the tables they read grow. PostgreSQL keeps
// one generic plan per named statement after a few calls (on each connection; PGlite, in its one
// session), made for the tables as they were then, and makes it again only once a table it reads
// is analyzed. Autovacuum analyzes a table after about a tenth of it changed, but visits each
// database once a minute, and PGlite has no autovacuum at all. So a delivery table that grows from
// nearly empty to tens of thousands of rows within a minute (a new installation taking its first
// burst of leads) was served by plans made for a few rows: a join by id read the whole table, and
// a claim could read every queue's backlog. A delivering process therefore checks, every few
// seconds, whether "Delivery" has grown eightfold (in pages, and past 8 MB) since it was last
// analyzed, and analyzes it if so; every session's plans that read it are then made again. Each
// analysis costs the database tens of milliseconds and every session a few fresh plans (measured:
// analyzing on every doubling slowed a 10-second burst of 200 events/s by seconds), which is why
// it waits for an eightfold growth: a handful of times over a table's life.

/** The table the hot path's statements read that grows with traffic. */
const TABLES = ["Delivery"];

export interface Growth {
  /** A table counts as grown once it has this many times its pages at the last analysis… */
  factor: number;
  /** …and more than this many pages. */
  minPages: number;
}

const GROWN: Growth = { factor: 8, minPages: 1024 };

/**
 * From this many pages of "Delivery", a plan made for a statement that joins a group of rows to it
 * by id reads it through its primary key, as it must at any size it grows to (a test explains that
 * plan, kept, at this size). Below, such a statement is planned on each call ("fresh", sql.ts): a
 * plan kept from a nearly empty table read the whole table as it grew. Above, its plan is kept, and
 * planning it costs nothing more: on PostgreSQL a fresh statement was parsed and planned on every
 * call, about half a millisecond each time for recording outcomes, as much as writing them.
 */
export const SETTLED_PAGES = 1024;

const settled = new WeakMap<Sql, boolean>();

/**
 * Whether the last look (analyzeGrown) found "Delivery" at least SETTLED_PAGES long on `sql`: a
 * statement joining by id to it may then keep its plan. False until a look has been made.
 */
export const plansSettled = (sql: Sql): boolean => settled.get(sql) ?? false;

/** Analyzes the hot path's tables that have grown (`growth`) since they were last analyzed; returns their names. */
export async function analyzeGrown(sql: Sql, growth: Growth = GROWN): Promise<string[]> {
  const tables = await sql.query<{ name: string; pages: number; grown: boolean }>(
    `SELECT name, pages, pages > GREATEST($2 * relpages, $3) AS grown
     FROM (SELECT c.relname AS name, c.relpages, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY($1::text[])) t`,
    [TABLES, growth.factor, growth.minPages],
  );
  const grown = tables.filter((t) => t.grown);
  for (const { name } of grown) await sql.query(`ANALYZE "${name.replace(/"/g, '""')}"`);
  // After the analysis: a plan that was kept is made again, for the table as it is now.
  settled.set(sql, tables.some((t) => t.name === "Delivery" && t.pages >= SETTLED_PAGES));
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
