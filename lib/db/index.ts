import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env, type Env } from "@/lib/core/env";
import { within } from "@/lib/core/within";
import { CLOSE_TIMEOUT_MS, CONNECT_TIMEOUT_MS, DEFAULT_QUERY_TIMEOUT_MS, openPglite, parseDatabaseUrl, pgliteDriver, postgresDriver, QUERY_TIMEOUT_GRACE_MS, type RawDriver } from "./driver";
import { acquirePgliteLock } from "./lock";
import { applyMigrations } from "./migrate";
import { pgliteSql, pgSql, type Sql } from "./sql";

export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  /** Plain SQL for the hot path (accepting events, claiming and recording deliveries). */
  sql: Sql;
  kind: "pglite" | "postgres";
  /** Migrations applied when this handle was opened. */
  applied: string[];
  close(): Promise<void>;
}

// Every connection to PostgreSQL turns JIT compilation off (the client queues this before any
// other statement). JIT pays off for long analytic queries; here it cost the claim 68 of its 73 ms
// whenever the planner's estimate for a large backlog crossed jit_above_cost, which cut the
// delivery rate to a quarter (measured: 1,500 deliveries/s without, 250–350/s with). A server
// without JIT (or a pooler that forbids SET) fails the statement; the connection is used anyway.
const NO_JIT = "SET jit = off";

/**
 * Opens the database named by `url` and applies pending migrations. PGlite data directories are
 * locked to this process; PostgreSQL gets a pooled connection per process. `template` (tests): an
 * in-memory PGlite starts from this dumped data directory instead of a new cluster.
 */
export async function openDatabase(
  url: string,
  role = "app",
  { poolSize = 10, template, queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS }: { poolSize?: number; template?: Blob; queryTimeoutMs?: number } = {},
): Promise<Database> {
  const target = parseDatabaseUrl(url);
  if (target.kind === "pglite") {
    const release = target.dataDir ? acquirePgliteLock(target.dataDir, role) : () => {};
    try {
      const pglite = await openPglite(target.dataDir, template);
      const driver = pgliteDriver(pglite);
      const applied = await applyMigrations(driver);
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
      return {
        prisma,
        sql: pgliteSql(pglite),
        kind: "pglite",
        applied,
        close: async () => {
          await prisma.$disconnect();
          await driver.close();
          release();
        },
      };
    } catch (err) {
      release();
      throw err;
    }
  }
  const driver: RawDriver = await postgresDriver(target.url, { queryTimeoutMs });
  let applied: string[];
  try {
    applied = await applyMigrations(driver);
  } finally {
    await driver.close();
  }
  // One pool per process, shared by Prisma and the hot path's plain SQL. A server that stops
  // answering without closing the connection (a failover, a flow a firewall dropped) would hold
  // a statement forever: the server cancels a statement past queryTimeoutMs, and the client gives
  // up on one still unanswered QUERY_TIMEOUT_GRACE_MS later (the pool then drops that connection
  // and opens another), and on a connection not made within CONNECT_TIMEOUT_MS (also the longest
  // a statement waits for a free connection). TCP keepalive ends idle connections whose peer
  // vanished.
  const pool = new pg.Pool({
    // The role names the process's connections in pg_stat_activity (an application_name in the URL wins).
    application_name: `leadhooks ${role}`,
    connectionString: target.url, max: poolSize, query_timeout: queryTimeoutMs + QUERY_TIMEOUT_GRACE_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true, keepAliveInitialDelayMillis: 10_000,
  });
  pool.on("error", (err) => console.error("database pool:", err.message)); // an idle connection dropped; the pool makes a new one
  pool.on("connect", (client) => {
    // Set by statement, not as a start-up parameter: poolers such as PgBouncer refuse unknown ones.
    void client.query(NO_JIT).catch(() => {});
    void client.query(`SET statement_timeout = ${Math.round(queryTimeoutMs)}`).catch(() => {});
  });
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    sql: pgSql(pool),
    kind: "postgres",
    applied,
    close: async () => {
      await prisma.$disconnect();
      // A connection that went silent never confirms its end: the process goes on without it.
      if (!pool.ended) await within(pool.end(), CLOSE_TIMEOUT_MS, () => new Error("unanswered")).catch(() => {});
    },
  };
}

// One database per process, kept on globalThis so dev-mode reloads and bundled copies of this
// module share it.
const globalKey = Symbol.for("leadhooks.database");
type GlobalWithDb = typeof globalThis & { [globalKey]?: Promise<Database> };

export function database(): Promise<Database> {
  const g = globalThis as GlobalWithDb;
  if (!g[globalKey]) {
    g[globalKey] = openDatabase(env().DATABASE_URL, "server", databaseOptions(env())).catch((err) => {
      delete g[globalKey];
      throw err;
    });
  }
  return g[globalKey];
}

/** The pool settings the environment asks for. */
export function databaseOptions(e: Pick<Env, "DATABASE_POOL_SIZE" | "DATABASE_QUERY_TIMEOUT_SECONDS">) {
  return { poolSize: e.DATABASE_POOL_SIZE, queryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_SECONDS * 1000 };
}

/** The process's database if it was opened (or is being opened), without opening it. */
export function openedDatabase(): Promise<Database> | undefined {
  return (globalThis as GlobalWithDb)[globalKey];
}

/** The process's Prisma client. */
export async function db(): Promise<PrismaClient> {
  return (await database()).prisma;
}

/** The process's plain-SQL handle (the hot path). */
export async function sql(): Promise<Sql> {
  return (await database()).sql;
}

/** For tests and scripts: use this database as the process's own. */
export function setDatabase(handle: Database | undefined): void {
  const g = globalThis as GlobalWithDb;
  if (handle) g[globalKey] = Promise.resolve(handle);
  else delete g[globalKey];
}
