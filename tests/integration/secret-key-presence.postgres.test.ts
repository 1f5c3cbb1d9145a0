import { hostname } from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { quietLog } from "@/lib/core/quiet-log";
import { openDatabase, type Database } from "@/lib/db";
import { holdPresence, PRESENCE_STALE_MS, presentProcesses, startPresence } from "@/lib/process/presence";
import { changeSecretKey } from "@/lib/signing/secret-key-change";
import { checkSecretKey } from "@/lib/signing/secret-key-check";
import { createScratchDatabase, freePort } from "@/scripts/pg-cluster.mjs";
import { cli, spawnWebProcess } from "../helpers/app-processes";
import { ensureBuilt } from "../helpers/build";
import { createTestOrg, databaseForAProcess, freshDatabase } from "../helpers/db";
import { startWorker } from "../helpers/worker";

// The commands that change APP_SECRET_KEY refuse while a Leadhooks process runs on the database:
// one still running with the old key would write new secrets with it afterwards. They looked at
// pg_stat_activity only, which misses a web process with DELIVERY_WORKERS=external once its pool
// has closed its idle connections (10 s): the rotation went ahead under it. Every web process and
// worker now keeps a row in "ProcessPresence" while it runs (lib/process/presence.ts).

const KEY = () => process.env.APP_SECRET_KEY!;
const NEW_KEY = "the-new-app-secret-key-after-the-processes-stopped-0123";
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});
// The web server runs on the app's build (any build: its own code is bundled from the sources).
beforeAll(ensureBuilt, 900_000); // a build, or waiting for the browser suite's: minutes on a busy machine

/** One statement on `url` over a connection of its own, closed before this resolves (the CLI counts open ones). */
async function once<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, application_name: "presence test" });
  await client.connect();
  try {
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

const rowsOf = (url: string) => once<{ role: string; host: string; pid: number }>(url, `SELECT role, host, pid FROM "ProcessPresence" ORDER BY "startedAt"`);

/** Client connections to database `name` other than the CLI's, seen from the cluster's own database. */
async function connectionsTo(name: string): Promise<string[]> {
  const rows = await once<{ application_name: string }>(
    process.env.TEST_POSTGRES_URL!,
    `SELECT application_name FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    [name],
  );
  return rows.map((r) => r.application_name);
}

describe("process presence (lib/process/presence.ts)", () => {
  it("a process's row is written at start, refreshed, listed while fresh, and deleted when it stops; a stale row is not listed", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    let calls = 0;
    const presence = startPresence("worker", db.url, async () => (calls++, db.sql), { refreshMs: 100 });
    cleanups.push(() => presence.stop());
    await vi.waitFor(async () => expect(await presentProcesses(db.sql)).toEqual([expect.objectContaining({ role: "worker", host: hostname(), pid: process.pid })]), { timeout: 30_000, interval: 50 });
    const seen = async () => (await once<{ at: Date }>(db.url, `SELECT "lastSeenAt" AS at FROM "ProcessPresence"`))[0]!.at.getTime();
    const first = await seen();
    await vi.waitFor(async () => expect(await seen()).toBeGreaterThan(first), { timeout: 30_000, interval: 50 });

    // A process killed an hour ago left its row: not listed.
    await db.sql.query(`INSERT INTO "ProcessPresence" VALUES ('proc_gone', 'web', 'old-host', 7, now() AT TIME ZONE 'UTC' - interval '2 hours', now() AT TIME ZONE 'UTC' - interval '1 hour')`);
    expect((await presentProcesses(db.sql)).map((p) => p.host)).toEqual([hostname()]);

    await presence.stop();
    expect(await presentProcesses(db.sql)).toEqual([]);
    expect((await db.sql.query<{ id: string }>(`SELECT id FROM "ProcessPresence"`)).map((r) => r.id)).toEqual(["proc_gone"]);
    // Three refreshes of another process with the same interval later, the stopped one has not written again.
    const stoppedAt = calls;
    let witnessed = 0;
    const witness = startPresence("web", db.url, async () => (witnessed++, db.sql), { refreshMs: 100 });
    cleanups.push(() => witness.stop());
    await vi.waitFor(() => expect(witnessed).toBeGreaterThanOrEqual(4), { timeout: 30_000, interval: 20 });
    await witness.stop();
    expect(calls).toBe(stoppedAt);
    expect(await presentProcesses(db.sql)).toEqual([]);
  });

  it("a refresh that fails is logged once and tried again at the next interval; the process goes on", async () => {
    const db = await freshDatabase();
    cleanups.push(() => db.close());
    const closed: Database = await openDatabase(db.url, "test");
    await closed.close(); // a real database that no longer answers this process
    const lines: string[] = [];
    let tries = 0;
    let healthy = false;
    const presence = startPresence("web", db.url, async () => (++tries, healthy ? db.sql : closed.sql), { refreshMs: 50, log: quietLog((l) => lines.push(l)) });
    cleanups.push(() => presence.stop());
    await vi.waitFor(() => expect(tries).toBeGreaterThanOrEqual(4), { timeout: 30_000, interval: 20 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^process presence \(how the secret-key commands see this process\) not written: .+; tried again at each refresh$/);
    healthy = true;
    await vi.waitFor(async () => expect((await presentProcesses(db.sql)).map((p) => p.role)).toEqual(["web"]), { timeout: 30_000, interval: 50 });
  });
});

describe("npm run worker keeps its presence while it runs", () => {
  it("its row names it (worker, this host, its pid) once started, and is gone once SIGTERM stopped it", async () => {
    const { url } = await databaseForAProcess("presence_worker");
    const worker = startWorker(url, (kill) => cleanups.push(kill));
    await vi.waitFor(async () => expect(await rowsOf(url)).toEqual([{ role: "worker", host: hostname(), pid: worker.child.pid }]), { timeout: 120_000, interval: 200 });
    worker.child.kill("SIGTERM");
    expect(await worker.exited, worker.output()).toBe(0);
    expect(await rowsOf(url)).toEqual([]);
  }, 180_000);
});

describe("a process that starts while a key change is under way", () => {
  it("npm run worker waits for the change to commit, then refuses the old key (it checked its key before it was present, and ran on with it)", async () => {
    const { name, url } = await createScratchDatabase(process.env.TEST_POSTGRES_URL!, "presence_race");
    const db = await openDatabase(url, "test");
    cleanups.push(() => db.close());
    await createTestOrg(db.prisma);
    let worker: ReturnType<typeof startWorker> | undefined;
    // The key change's own check (as scripts/cli.ts runs it) finds no process; one starts before the commit.
    await changeSecretKey(db.prisma, KEY(), NEW_KEY, {
      guard: async (tx) => {
        expect(await holdPresence(tx)).toEqual([]);
        worker = startWorker(url, (kill) => cleanups.push(kill));
        const waiting = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'leadhooks worker' AND wait_event_type = 'Lock'`;
        await vi.waitFor(async () => expect((await once<{ n: number }>(process.env.TEST_POSTGRES_URL!, waiting, [name]))[0]!.n, worker!.output()).toBe(1), { timeout: 120_000, interval: 100 });
      },
    });
    expect(await worker!.exited, worker!.output()).toBe(1);
    expect(worker!.output()).toContain("APP_SECRET_KEY: does not match the key this database's secrets");
    expect(worker!.output()).not.toMatch(/Delivery worker \d+ started/);
    expect(await rowsOf(url)).toEqual([]);
  }, 180_000);

  it("the web server checks its key again once present (npm start checked it before a build of minutes): with another key it exits 1", async () => {
    const { url } = await databaseForAProcess("presence_webkey");
    const seed = await openDatabase(url, "test");
    await createTestOrg(seed.prisma); // a signing key encrypted with this process's key
    await seed.close();
    const web = spawnWebProcess(url, await freePort(), (kill) => cleanups.push(kill), { DELIVERY_WORKERS: "external", APP_SECRET_KEY: NEW_KEY });
    expect(await web.exited, web.output()).toBe(1);
    expect(web.output()).toContain("Server start-up failed: Invalid environment configuration:\n  APP_SECRET_KEY: does not match the key this database's secrets");
    expect(await rowsOf(url)).toEqual([]);
  }, 180_000);
});

describe("secret-key rotate beside a web process with DELIVERY_WORKERS=external", () => {
  it("refuses while it runs, though it holds no connection, naming it; goes ahead once SIGTERM stopped it; a stale row does not hold it, --force overrides a fresh one", async () => {
    const { name, url } = await createScratchDatabase(process.env.TEST_POSTGRES_URL!, "presence_web");
    const seed = await openDatabase(url, "test");
    await createTestOrg(seed.prisma); // a signing key to re-encrypt
    await seed.close();

    const web = await startWebProcess(url);
    await vi.waitFor(async () => expect(await rowsOf(url)).toEqual([{ role: "web", host: hostname(), pid: web.pid }]), { timeout: 60_000, interval: 200 });
    // Idle: its pool closes its connections after 10 s. Until this fix the command then saw nothing.
    await vi.waitFor(async () => expect(await connectionsTo(name)).toEqual([]), { timeout: 120_000, interval: 100 });

    const refused = await cli(["secret-key", "rotate"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY, OLD_APP_SECRET_KEY: KEY() });
    expect(refused.status, refused.output).toBe(1);
    expect(refused.output).toMatch(new RegExp(`Leadhooks processes running on this database:\\n {4}web on ${escape(hostname())} \\(pid ${web.pid}, last seen \\d+ s ago at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)\\n`));
    // Its next refresh may have opened a connection meanwhile: then that is listed too.
    expect(refused.output).toMatch(/^(Stop|Other connections to this database \(leadhooks server ×1\): stop) every Leadhooks process \(web and workers\) first\.$/m);
    expect(refused.output).toContain(`A process that ended without stopping (killed, its host lost) is listed until ${PRESENCE_STALE_MS / 1000} s after it was last seen.`);
    expect(refused.output).toMatch(/When (you know the processes listed are gone|the processes listed are gone and none of the connections is a Leadhooks process .*), --force goes ahead\./);
    const unchanged = await openDatabase(url, "test");
    await expect(checkSecretKey(unchanged.sql, KEY())).resolves.toBeUndefined(); // nothing was re-encrypted
    await unchanged.close();

    web.child.kill("SIGTERM");
    expect(await web.exited, web.output()).toBe(0);
    expect(await rowsOf(url)).toEqual([]);
    // A process killed long ago (kill -9) left its row behind: it no longer counts.
    await once(url, `INSERT INTO "ProcessPresence" VALUES ('proc_killed', 'worker', 'gone-host', 4242, now() AT TIME ZONE 'UTC' - interval '2 hours', now() AT TIME ZONE 'UTC' - interval '1 hour')`);
    await vi.waitFor(async () => expect(await connectionsTo(name)).toEqual([]), { timeout: 30_000, interval: 100 }); // the ended backends are gone too

    const rotated = await cli(["secret-key", "rotate"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY, OLD_APP_SECRET_KEY: KEY() });
    expect(rotated.status, rotated.output).toBe(0);
    expect(rotated.output).toContain("Re-encrypted with the new APP_SECRET_KEY: 1 organization signing keys");

    // recover --yes is held the same way, by a row refreshed just now; --force goes ahead regardless.
    await once(url, `INSERT INTO "ProcessPresence" VALUES ('proc_live', 'worker', 'live-host', 77, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')`);
    const held = await cli(["secret-key", "recover", "--yes"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY });
    expect(held.status, held.output).toBe(1);
    expect(held.output).toMatch(/^ {4}worker on live-host \(pid 77, last seen \d+ s ago at .+\)$/m);
    const forced = await cli(["secret-key", "recover", "--yes", "--force"], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY });
    expect(forced).toMatchObject({ status: 0, output: expect.stringContaining("Every stored secret is readable with this APP_SECRET_KEY: nothing to do.") });
  }, 300_000);
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");


/** The web process, answering before this resolves. */
async function startWebProcess(url: string) {
  const port = await freePort();
  const web = spawnWebProcess(url, port, (kill) => cleanups.push(kill), { DELIVERY_WORKERS: "external" });
  await vi.waitFor(
    async () => {
      if (web.gone()) throw new Error(`the web process exited:\n${web.output()}`);
      const res = await fetch(`http://127.0.0.1:${port}/login`, { redirect: "manual" });
      expect(res.status).toBeLessThan(500);
    },
    { timeout: 120_000, interval: 250 },
  );
  return web;
}


describe("a key change run from the CLI holds off the processes that start while it runs", () => {
  /** Sessions of `app` on database `name` waiting for a lock. */
  const waitingOnLock = async (name: string, app: string) =>
    (
      await once<{ n: number }>(
        process.env.TEST_POSTGRES_URL!,
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = $2 AND wait_event_type = 'Lock'`,
        [name, app],
      )
    )[0]!.n;

  /**
   * `secret-key rotate` on a new database while another session (named `holder`) holds the
   * organizations' signing keys: the change waits inside its transaction, its guard done (the
   * presence table locked), until release().
   */
  async function heldRotation(prefix: string, holder: string, args: string[]) {
    const { name, url } = await createScratchDatabase(process.env.TEST_POSTGRES_URL!, prefix);
    const seed = await openDatabase(url, "test");
    await createTestOrg(seed.prisma);
    await seed.close();
    const hold = new pg.Client({ connectionString: url, application_name: holder });
    await hold.connect();
    cleanups.push(() => hold.end().catch(() => {}));
    await hold.query("BEGIN");
    await hold.query(`SELECT id FROM "SigningKey" FOR UPDATE`);
    const rotation = cli(["secret-key", "rotate", ...args], { DATABASE_URL: url, APP_SECRET_KEY: NEW_KEY, OLD_APP_SECRET_KEY: KEY() });
    await vi.waitFor(async () => expect(await waitingOnLock(name, "leadhooks cli")).toBe(1), { timeout: 60_000, interval: 100 });
    return { name, url, rotation, release: () => hold.query("COMMIT") };
  }

  it("with --force too: a worker started meanwhile with the old key waits for the commit, then refuses to start", async () => {
    const held = await heldRotation("presence_force", "presence test holder", ["--force"]);
    const worker = startWorker(held.url, (kill) => cleanups.push(kill));
    await vi.waitFor(async () => expect(await waitingOnLock(held.name, "leadhooks worker"), worker.output()).toBe(1), { timeout: 60_000, interval: 100 });
    await held.release();
    const rotated = await held.rotation;
    expect(rotated.status, rotated.output).toBe(0);
    expect(await worker.exited, worker.output()).toBe(1);
    expect(worker.output()).toContain("APP_SECRET_KEY: does not match the key this database's secrets");
    expect(worker.output()).not.toMatch(/Delivery worker \d+ started/);
  }, 180_000);

  it("a worker whose presence write waits past its query timeout refuses to start, saying why, instead of checking its key before the commit", async () => {
    // Named as the CLI's own connections, which its check of other connections passes over.
    const held = await heldRotation("presence_timeout", "leadhooks cli", []);
    const worker = startWorker(held.url, (kill) => cleanups.push(kill), { DATABASE_QUERY_TIMEOUT_SECONDS: "2" });
    expect(await worker.exited, worker.output()).toBe(1);
    expect(worker.output()).toMatch(/could not record its presence in the database \(.*statement timeout.*\)\. A secret-key command/);
    expect(worker.output()).not.toMatch(/Delivery worker \d+ started/);
    await held.release();
    const rotated = await held.rotation;
    expect(rotated.status, rotated.output).toBe(0);
    expect(await rowsOf(held.url)).toEqual([]);
  }, 180_000);
});
