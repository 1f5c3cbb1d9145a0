import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { createScratchDatabase, freePort, startPostgres } from "../scripts/pg-cluster.mjs";
import { startReceiver } from "../tests/helpers/receiver";

// Durability when the server is killed: leads stream in through the REST API while deliveries are
// in flight, the server gets SIGKILL, and a new server on the same database must deliver every
// lead the API accepted (answered 201) to every rule, under the delivery id it stored. A re-send
// under the same webhook-id is allowed (at-least-once); a missing lead or delivery is not.
// Requests cut off by the kill were never accepted and are not counted.
//
// The spec needs no browser page: it starts its own production servers (scripts/serve.ts on the
// build) on free ports, each on its own database (a fresh PGlite directory; a scratch database on
// a throwaway PostgreSQL cluster), beside the suite's shared server. Deliveries the killed server
// had claimed wait for their lease before the new server sends them again; the servers run with
// DELIVERY_LEASE_SECONDS=5 (the shortest allowed; 60 by default), so recovery takes seconds. The
// limits below are for a hang on a busy machine, not for speed.

const root = path.resolve(import.meta.dirname, "..");
const tsxCli = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
const RULE_PATHS = ["/first", "/second", "/third"];
/** How long a killed server's claimed deliveries stay with it. */
const LEASE_SECONDS = 5;
/** The receiver answers after this long, so requests are open and others wait when the kill comes. */
const ANSWER_DELAY_MS = 1000;
const CLIENTS = 12;

const secrets = { APP_SECRET_KEY: randomBytes(32).toString("base64"), NEXTAUTH_SECRET: randomBytes(24).toString("hex") };

/** The environment of a server on `port`, or of the seed (which listens on nothing). */
function appEnv(databaseUrl: string, port?: number): NodeJS.ProcessEnv {
  const listens = port ? { PORT: String(port), NEXTAUTH_URL: `http://localhost:${port}` } : { NEXTAUTH_URL: "http://localhost" };
  return {
    ...process.env, ...secrets, ...listens, NODE_ENV: "production", DATABASE_URL: databaseUrl,
    SCHEDULER: "on", DELIVERY_LEASE_SECONDS: String(LEASE_SECONDS), API_RATE_LIMIT: "0", ALLOW_INSECURE_URLS: "true", ALLOWED_PRIVATE_NETWORKS: "127.0.0.0/8", NEXT_TELEMETRY_DISABLED: "1",
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `done` until it holds; throws `what` when `limitMs` passes first. */
async function until(done: () => boolean | Promise<boolean>, limitMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what()} (waited ${limitMs / 1000} s)`);
    await sleep(100);
  }
}

// Everything a test starts, undone after it however it ended (last started, first undone).
const cleanups: (() => void | Promise<void>)[] = [];
test.afterEach(async () => {
  while (cleanups.length) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error(`cleanup: ${(err as Error).message}`);
    }
  }
});

/** Migrates and seeds the database in a process of its own; returns the API key and rule paths by id. */
async function seed(databaseUrl: string, receiverUrl: string): Promise<{ key: string; rules: Record<string, string> }> {
  const child = spawn(process.execPath, [tsxCli, "e2e/durability-seed.ts"], {
    cwd: root,
    env: { ...appEnv(databaseUrl), RECEIVER_URL: receiverUrl, RULE_PATHS: RULE_PATHS.join(",") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c));
  child.stderr.on("data", (c: Buffer) => (err += c));
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  if (code !== 0) throw new Error(`e2e/durability-seed.ts exited ${code}:\n${out}${err}`);
  // The seed prints its result as the last line of stdout; Node's warnings go to stderr.
  const result = out.trim().split("\n").at(-1) ?? "";
  try {
    return JSON.parse(result) as { key: string; rules: Record<string, string> };
  } catch {
    throw new Error(`e2e/durability-seed.ts printed no result:\n${out}${err}`);
  }
}

interface Server {
  url: string;
  logFile: string;
  /** SIGKILL to the server's process group; resolves once it is gone. */
  kill(): Promise<void>;
}

/** The production server (scripts/serve.ts) on the build, in its own process group, answering before this resolves. */
async function startServer(databaseUrl: string, logFile: string): Promise<Server> {
  const port = await freePort();
  const log = openSync(logFile, "a");
  const child: ChildProcess = spawn(process.execPath, [path.join(root, "scripts", "run.mjs"), path.join(root, "scripts", "serve.ts")], {
    cwd: root, env: { ...appEnv(databaseUrl, port), PORT: String(port) }, stdio: ["ignore", log, log], detached: true,
  });
  closeSync(log);
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  let gone = false;
  void exited.then(() => (gone = true));
  const kill = async () => {
    if (gone) return;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
    await exited;
  };
  cleanups.push(kill);
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      if (gone) throw new Error(`the server exited before it listened:\n${tail(logFile)}`);
      return fetch(`${url}/login`, { redirect: "manual" }).then((r) => r.status < 500, () => false);
    },
    120_000,
    () => `the server did not listen:\n${tail(logFile)}`,
  );
  return { url, logFile, kill };
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-30).join("\n") : "(no log)";
}

interface Accepted {
  leadId: string;
  /** The deliveries the 201 named: ruleId → delivery id. */
  deliveries: Map<string, string>;
}

/** Clients posting leads as fast as they are answered, until stop(). */
function streamLeads(baseUrl: string, key: string) {
  const accepted: Accepted[] = [];
  const refused: string[] = []; // answers other than 201: none are expected
  let cutOff = 0; // requests that got no answer (the kill)
  let running = true;
  let n = 0;
  const post = async () => {
    const i = n++;
    try {
      const res = await fetch(`${baseUrl}/api/v1/leads`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ email: `durable${i}@example.test`, firstName: "Durable", lastName: `Lead ${i}` }),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status !== 201) {
        refused.push(`${res.status} ${text.slice(0, 200)}`);
        return;
      }
      const body = JSON.parse(text) as { id: string; webhooks: { ruleId: string; deliveryId: string }[] };
      accepted.push({ leadId: body.id, deliveries: new Map(body.webhooks.map((w) => [w.ruleId, w.deliveryId])) });
    } catch {
      cutOff++;
    }
  };
  const clients = Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (running) await post();
    }),
  );
  return {
    accepted,
    refused,
    get cutOff() {
      return cutOff;
    },
    stop: async () => {
      running = false;
      await clients;
    },
  };
}

/** GET with the API key; the parsed body, or the status and body as an error. */
async function apiGet<T>(baseUrl: string, key: string, pathname: string): Promise<T> {
  const res = await fetch(`${baseUrl}${pathname}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`GET ${pathname} → ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

/** Runs `fn` over `items`, `width` at a time. */
async function inParallel<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!);
      }
    }),
  );
  return results;
}

/** The lead id in a delivery's body (the lead.created envelope), or "" for anything else. */
function leadIdOf(body: string): string {
  try {
    return String((JSON.parse(body) as { data?: { lead?: { id?: unknown } } }).data?.lead?.id ?? "");
  } catch {
    return "";
  }
}

async function killMidStreamAndRecover(databaseUrl: string, workDir: string) {
  // The receiver answers each delivery after a short delay; `inFlight` counts the open ones.
  let inFlight = 0;
  const receiver = await startReceiver(() => {
    inFlight++;
    setTimeout(() => inFlight--, ANSWER_DELAY_MS);
    return { status: 200, body: "ok", delayMs: ANSWER_DELAY_MS };
  });
  cleanups.push(receiver.close);
  const { key, rules } = await seed(databaseUrl, receiver.url);
  const ruleIds = Object.keys(rules);

  // What reached the receiver: "<webhook-id> <path> <lead id>", and how often.
  const seen = new Map<string, number>();
  let read = 0;
  const arrivalKey = (webhookId: string, rulePath: string, leadId: string) => `${webhookId} ${rulePath} ${leadId}`;
  /** Deliveries the 201s named that have not reached the receiver. */
  const missing = (accepted: Accepted[]) => {
    for (; read < receiver.received.length; read++) {
      const hit = receiver.received[read]!;
      const k = arrivalKey(String(hit.headers["webhook-id"]), hit.path, leadIdOf(hit.body));
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    return accepted.flatMap((a) => [...a.deliveries].filter(([ruleId, deliveryId]) => !seen.has(arrivalKey(deliveryId, rules[ruleId]!, a.leadId))).map(([ruleId, deliveryId]) => `${a.leadId} → ${rules[ruleId]} (${deliveryId})`));
  };

  // 1. Leads stream in; the server is killed while some deliveries are open at the receiver (their
  //    lease must expire before they are sent again) and accepted leads still owe others.
  const first = await startServer(databaseUrl, path.join(workDir, "server-1.log"));
  const stream = streamLeads(first.url, key);
  await until(
    () => stream.accepted.length >= 60 && inFlight > 0 && missing(stream.accepted).length >= 30,
    120_000,
    () => `no deliveries in flight: ${stream.accepted.length} accepted, ${receiver.received.length} received, refused: ${stream.refused.slice(0, 3).join(" | ")}\n${tail(first.logFile)}`,
  );
  const killedAt = Date.now();
  const atKill = { accepted: stream.accepted.length, owed: missing(stream.accepted).length, inFlight };
  await first.kill();
  await stream.stop();
  expect(stream.refused, "answers other than 201 before the kill").toEqual([]);
  const accepted = stream.accepted;
  console.log(
    `killed with ${atKill.accepted} leads accepted, ${atKill.owed} of their deliveries not sent yet and ${atKill.inFlight} open at the receiver; ` +
      `${accepted.length} accepted in all, ${stream.cutOff} requests cut off by the kill`,
  );
  for (const a of accepted) expect([...a.deliveries.keys()].sort(), `the 201 for ${a.leadId} names one delivery per rule`).toEqual([...ruleIds].sort());

  // 2. A new server on the same database sends whatever the killed one left.
  const second = await startServer(databaseUrl, path.join(workDir, "server-2.log"));
  await until(
    () => missing(accepted).length === 0,
    90_000,
    () => `deliveries that never reached the receiver: ${missing(accepted).length}, e.g. ${missing(accepted).slice(0, 5).join(", ")}\n${tail(second.logFile)}`,
  );
  console.log(`every accepted lead's deliveries received ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`);

  // 3. The database agrees: every accepted lead is there with its deliveries, each one succeeded.
  type LeadBody = { id: string; webhooks: { ruleId: string; deliveryId: string; state: string }[] };
  const problems = async () => {
    const leads = await inParallel(accepted, 4, (a) => apiGet<LeadBody>(second.url, key, `/api/v1/leads/${a.leadId}`).then((lead) => ({ a, lead }), (err: Error) => ({ a, err })));
    return leads.flatMap((r) => {
      if ("err" in r) return [`${r.a.leadId}: ${r.err.message}`];
      const stored = new Map(r.lead.webhooks.map((w) => [w.ruleId, w]));
      if (stored.size !== r.lead.webhooks.length || stored.size !== r.a.deliveries.size) return [`${r.a.leadId}: ${r.lead.webhooks.length} deliveries, ${r.a.deliveries.size} expected`];
      return [...r.a.deliveries].flatMap(([ruleId, deliveryId]) => {
        const w = stored.get(ruleId);
        if (w?.deliveryId !== deliveryId) return [`${r.a.leadId} → ${rules[ruleId]}: stored ${w?.deliveryId ?? "nothing"}, the 201 said ${deliveryId}`];
        return w.state === "SUCCEEDED" ? [] : [`${r.a.leadId} → ${rules[ruleId]}: ${w.state}`];
      });
    });
  };
  await expect.poll(problems, { timeout: 60_000, intervals: [500, 1000, 2000] }).toEqual([]);
  // Nothing else is left waiting or failed either (leads whose 201 the kill cut off included).
  for (const ruleId of ruleIds) {
    for (const state of ["PENDING", "FAILED"]) {
      await expect
        .poll(async () => (await apiGet<{ data: { id: string }[] }>(second.url, key, `/api/v1/webhooks/${ruleId}/logs?state=${state}`)).data.map((d) => d.id), { timeout: 30_000 })
        .toEqual([]);
    }
  }
  missing(accepted); // counts what arrived since (the re-sends of requests the kill left open)
  const resent = [...seen.values()].filter((count) => count > 1).length;
  console.log(`all stored as SUCCEEDED ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill; ${receiver.received.length} requests received, ${resent} webhook-ids more than once`);
}

test.describe("kill -9 of the server while leads stream in", () => {
  test.describe.configure({ mode: "serial" });
  test.setTimeout(4 * 60_000);

  let workDir = "";
  test.beforeEach(() => {
    workDir = mkdtempSync(path.join(tmpdir(), "leadhooks-durability-"));
    const dir = workDir;
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  });

  test("loses no accepted lead and no delivery on PGlite", async () => {
    await killMidStreamAndRecover(`pglite:${path.join(workDir, "pglite")}`, workDir);
  });

  test("loses no accepted lead and no delivery on PostgreSQL", async () => {
    const cluster = await startPostgres();
    cleanups.push(cluster.stop);
    const { url } = await createScratchDatabase(cluster.url, "durability");
    await killMidStreamAndRecover(url, workDir);
  });
});
