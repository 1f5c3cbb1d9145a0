import { hostname } from "node:os";
import { newId } from "@/lib/core/ids";
import { printable } from "@/lib/core/printable";
import { quietLog } from "@/lib/core/quiet-log";
import { within } from "@/lib/core/within";
import { parseDatabaseUrl } from "@/lib/db/driver";
import { iso, prismaSql, utc, type Sql } from "@/lib/db/sql";
import type { ProcessRole } from "@/lib/delivery/role";

// Which Leadhooks processes run on a PostgreSQL database, for the commands that change
// APP_SECRET_KEY (scripts/cli.ts): a process still running with the old key would write new
// secrets with it afterwards. Their connections in pg_stat_activity do not tell: a web process
// with DELIVERY_WORKERS=external holds none while idle (its pool closes idle ones after 10 s). So
// every web process (scripts/serve.ts) and worker (scripts/worker.ts) keeps a row in
// "ProcessPresence", written at start, refreshed every PRESENCE_REFRESH_MS and deleted when it
// stops cleanly. A process that died without stopping (kill -9, its host lost) leaves its row: it
// no longer counts once not refreshed for PRESENCE_STALE_MS, so it holds the commands that long.
//
// Not on PGlite: only one process can open its data directory (lib/db/lock.ts), so no command can
// run beside any other process there, and a row would only outlive a killed process.

/**
 * Longer than the pool's idle timeout (pg's default, 10 s), so that an idle web process opens a
 * connection for a moment each time instead of holding one for this alone; a delivering process
 * has its connections open anyway. One short statement each time, through the process's pool.
 */
export const PRESENCE_REFRESH_MS = 15_000;
/** A row not refreshed for this long is a process that is gone (three refreshes missed, at least 30 s). */
export const PRESENCE_STALE_MS = Math.max(3 * PRESENCE_REFRESH_MS, 30_000);
/** The longest stopping waits for the row's deletion (a database that stopped answering must not hold a stop long; the row then goes stale). */
const STOP_TIMEOUT_MS = 2_000;

/** A process that refreshed its row within PRESENCE_STALE_MS. */
export interface PresentProcess {
  role: string;
  host: string;
  pid: number;
  /** ISO 8601, UTC. */
  startedAt: string;
  lastSeenAt: string;
  /** Milliseconds since lastSeenAt, by the database's clock (the processes' clocks may differ). */
  sinceSeenMs: number;
}

export interface Presence {
  /**
   * Settles once the first write did: true when the row is in the database (false on PGlite, or
   * when it failed, logged). A process checks its APP_SECRET_KEY after it (see startPresence).
   */
  written: Promise<boolean>;
  /**
   * Resolves once the row is written; rejects, saying why, when the first write failed on
   * PostgreSQL (a process must then not start: a key change may be holding the table, and the
   * write waited past DATABASE_QUERY_TIMEOUT_SECONDS). Resolves at once on PGlite.
   */
  ensureWritten(): Promise<void>;
  /** Stops refreshing and deletes the row (after a refresh in flight, which would write it again). Never rejects. */
  stop(): Promise<void>;
}

const NOW_UTC = "(now() AT TIME ZONE 'UTC')";
const REFRESH = `INSERT INTO "ProcessPresence" (id, role, host, pid, "startedAt", "lastSeenAt") VALUES ($1, $2, $3, $4, ${utc("$5")}, ${NOW_UTC})
  ON CONFLICT (id) DO UPDATE SET "lastSeenAt" = ${NOW_UTC}`;
// Rows of processes that died without stopping, removed at each start so they do not pile up.
const FORGET_STALE = `DELETE FROM "ProcessPresence" WHERE "lastSeenAt" < ${NOW_UTC} - $1::float8 * interval '1 millisecond'`;

const absent: Presence = { written: Promise.resolve(false), ensureWritten: async () => {}, stop: async () => {} };

/**
 * Records this process in the database now and every `refreshMs` (on PostgreSQL; nothing on
 * PGlite, see above). The timer does not keep the process alive. A failed write never stops the
 * process: it is logged (once, then at most every 30 s while it repeats) and tried again at the
 * next interval. `sql` is the process's database, opened on first use.
 *
 * A process checks its APP_SECRET_KEY once its row is written (`written`), not before: a key change
 * holds the table locked from its own check to its commit (scripts/cli.ts), so the first write of
 * a process starting meanwhile waits for that commit, and its check then sees the new secrets.
 */
export function startPresence(
  role: ProcessRole,
  databaseUrl: string,
  sql: () => Promise<Sql>,
  { refreshMs = PRESENCE_REFRESH_MS, log = quietLog() }: { refreshMs?: number; log?: (line: string) => void } = {},
): Presence {
  if (parseDatabaseUrl(databaseUrl).kind !== "postgres") return absent;
  const row = [newId("proc"), role, hostname(), process.pid, new Date().toISOString()];
  let inFlight: Promise<boolean> | null = null;
  let first = true;
  let firstFailure: unknown = null;
  const refresh = (): Promise<boolean> =>
    // A refresh the database has not answered yet: one at a time.
    (inFlight ??= (async () => {
      const db = await sql();
      if (first) await db.query(FORGET_STALE, [PRESENCE_STALE_MS]);
      await db.query(REFRESH, row);
      first = false;
      return true;
    })()
      .catch((err: unknown) => {
        if (first) firstFailure ??= err;
        log(`process presence (how the secret-key commands see this process) not written: ${err instanceof Error ? err.message : String(err)}; tried again at each refresh`);
        return false;
      })
      .finally(() => (inFlight = null)));
  const timer = setInterval(refresh, refreshMs);
  timer.unref();
  const written = refresh();
  let stopping: Promise<void> | null = null;
  const remove = async () => {
    clearInterval(timer);
    await inFlight; // else it could write the row again after the delete
    await (await sql()).query(`DELETE FROM "ProcessPresence" WHERE id = $1`, [row[0]]);
  };
  return {
    written,
    async ensureWritten() {
      if (await written) return;
      const why = firstFailure instanceof Error ? firstFailure.message : String(firstFailure);
      throw new Error(
        `this process could not record its presence in the database (${why}). A secret-key command (npm run cli -- secret-key …) may be changing the secrets: start it again once that has finished.`,
      );
    },
    // Bounded as a whole: a database that stopped answering must not hold the process's stop.
    stop: () =>
      (stopping ??= within(remove(), STOP_TIMEOUT_MS, () => new Error(`no answer within ${STOP_TIMEOUT_MS / 1000} s`)).catch((err: unknown) =>
        console.error(`process presence: removing this process's row failed (${err instanceof Error ? err.message : String(err)}); it stops counting ${PRESENCE_STALE_MS / 1000} s after its last refresh`),
      )),
  };
}

/** The processes on this database that refreshed their row within PRESENCE_STALE_MS, oldest first. */
export async function presentProcesses(sql: Sql): Promise<PresentProcess[]> {
  const rows = await sql.query<Omit<PresentProcess, "sinceSeenMs"> & { sinceSeenMs: number | string }>(
    `SELECT role, host, pid, ${iso(`"startedAt"`)} AS "startedAt", ${iso(`"lastSeenAt"`)} AS "lastSeenAt",
            (extract(epoch FROM ${NOW_UTC} - "lastSeenAt") * 1000)::float8 AS "sinceSeenMs"
       FROM "ProcessPresence" WHERE "lastSeenAt" >= ${NOW_UTC} - $1::float8 * interval '1 millisecond'
      ORDER BY "startedAt", id`,
    [PRESENCE_STALE_MS],
  );
  return rows.map((r) => ({ ...r, sinceSeenMs: Math.max(0, Number(r.sinceSeenMs)) }));
}

/**
 * First in a key change's transaction (PostgreSQL): from here to its commit no process writes its
 * row (SHARE mode lets no one insert or update), and the processes present are returned. A process
 * that starts meanwhile waits on its first write, then checks its APP_SECRET_KEY against the
 * secrets as committed: it cannot slip in between the key change's check and its change.
 */
export async function holdPresence(tx: Parameters<typeof prismaSql>[0] & { $executeRawUnsafe(query: string): Promise<number> }): Promise<PresentProcess[]> {
  await tx.$executeRawUnsafe(`LOCK TABLE "ProcessPresence" IN SHARE MODE`);
  return presentProcesses(prismaSql(tx));
}

/** One line naming a process for an operator, e.g. `web on app-1 (pid 4242, last seen 3 s ago at 2026-12-04T10:00:00.000Z)`. */
export function describeProcess(p: PresentProcess): string {
  return `${printable(p.role)} on ${printable(p.host)} (pid ${p.pid}, last seen ${Math.round(p.sinceSeenMs / 1000)} s ago at ${p.lastSeenAt})`;
}
