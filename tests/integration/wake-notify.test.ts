import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase, setDatabase, type Database } from "@/lib/db";
import { wakeDispatcher } from "@/lib/delivery/wake";
import { PROCESS_WAKE_ID, WAKE_CHANNEL } from "@/lib/delivery/wake-signal";
import { createScratchDatabase, startPostgres } from "@/scripts/pg-cluster.mjs";
import { TEST_DATABASE } from "../helpers/db";

// A wake-up's NOTIFY that never gets an answer must not silence the process's later ones. It
// happened in CI: a test file's database was closed while a NOTIFY waited for one of its pool's
// connections (a pool that ends leaves its waiting queries pending forever), and every later file
// in that process sent no notification at all, so a worker woken only by them never delivered.
// The same holds for a server: one database handle's stuck notification is no reason to stop
// notifying. Runs on the test cluster (TEST_DATABASE=postgres) or a cluster of its own.

let serverUrl: string;
let stopCluster = () => {};
const opened: Database[] = [];
const clients: pg.Client[] = [];

beforeAll(async () => {
  if (TEST_DATABASE === "postgres") serverUrl = process.env.TEST_POSTGRES_URL!;
  else {
    const cluster = await startPostgres({ maxConnections: 30 });
    stopCluster = cluster.stop;
    serverUrl = cluster.url;
  }
});
afterAll(async () => {
  setDatabase(undefined);
  await Promise.all(clients.map((c) => c.end().catch(() => {})));
  await Promise.all(opened.map((d) => d.close().catch(() => {})));
  stopCluster();
});

async function scratch(poolSize: number): Promise<{ database: Database; url: string }> {
  const { url } = await createScratchDatabase(serverUrl, "wake");
  const database = await openDatabase(url, "test", { poolSize });
  opened.push(database);
  return { database, url };
}

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

/** A connection LISTENing on the wake-up channel, and the payloads it has received. */
async function listen(url: string): Promise<string[]> {
  const client = await connect(url);
  const payloads: string[] = [];
  client.on("notification", (n) => n.channel === WAKE_CHANNEL && payloads.push(n.payload ?? ""));
  await client.query(`LISTEN ${WAKE_CHANNEL}`);
  return payloads;
}

/** Statements waiting in the database on an advisory lock another connection holds: the pool's connections stay taken until it is released. */
async function takeEveryConnection(database: Database, url: string, poolSize: number) {
  const holder = await connect(url);
  await holder.query("SELECT pg_advisory_lock(42)");
  const waiting = Array.from({ length: poolSize }, () => database.sql.query("SELECT pg_advisory_xact_lock(42)"));
  await vi.waitFor(async () => {
    const { rows } = await holder.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
    expect(rows[0]!.n).toBe(poolSize);
  }, { timeout: 30_000, interval: 50 });
  return { release: async () => { await holder.query("SELECT pg_advisory_unlock(42)"); await Promise.all(waiting); } };
}

describe("wake-up notifications", () => {
  it("a NOTIFY left waiting when its database closed does not silence the next database's", async () => {
    const first = await scratch(2);
    setDatabase(first.database);
    const busy = await takeEveryConnection(first.database, first.url, 2);
    wakeDispatcher(); // its NOTIFY waits for a connection of the pool
    const closing = first.database.close();
    await busy.release(); // the pool ends once its connections come back, with the NOTIFY still waiting
    await closing;

    const second = await scratch(2);
    setDatabase(second.database);
    const received = await listen(second.url);
    wakeDispatcher();
    await vi.waitFor(() => expect(received).toEqual([PROCESS_WAKE_ID]), { timeout: 20_000, interval: 25 });
  });

  it("wake-ups while a NOTIFY is in flight are folded into one more, sent after it", async () => {
    const { database, url } = await scratch(2);
    setDatabase(database);
    const received = await listen(url);
    const busy = await takeEveryConnection(database, url, 2);
    wakeDispatcher();
    wakeDispatcher();
    wakeDispatcher();
    await busy.release();
    await vi.waitFor(() => expect(received).toEqual([PROCESS_WAKE_ID, PROCESS_WAKE_ID]), { timeout: 20_000, interval: 25 });
    // Nothing more comes of them: a notification arrives in the listener's next read, so a third
    // one would be here once a later notification is.
    const late = await connect(url);
    await late.query(`NOTIFY ${WAKE_CHANNEL}, 'marker'`);
    await vi.waitFor(() => expect(received.at(-1)).toBe("marker"), { timeout: 20_000, interval: 25 });
    expect(received).toEqual([PROCESS_WAKE_ID, PROCESS_WAKE_ID, "marker"]);
  });
});
