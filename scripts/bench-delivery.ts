// `npm run bench:delivery`: pushes lead events through the REST API of a real server on
// PostgreSQL into 5 rules pointing at a local receiver, and prints throughput, latency, the raw
// undici rate to the same receiver for comparison, and the server's peak memory.
//
// Env: BENCH_POSTGRES_URL (else a throwaway cluster is started), BENCH_EVENTS (throughput phase,
// default 2000), BENCH_RATE (latency phase events/s, default 200), BENCH_SECONDS (default 10).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { Pool } from "undici";
import { createApiKey } from "@/lib/api/keys";
import { openDatabase } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { createOrganizationWithAdmin } from "@/lib/orgs/create-organization";
import { createScratchDatabase, freePort, startPostgres } from "./pg-cluster.mjs";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const FANOUT = 5;
const root = process.cwd();
const cleanups: (() => void)[] = [];
process.on("exit", () => cleanups.reverse().forEach((c) => c()));
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => process.exit(130));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

async function database(): Promise<string> {
  let admin = process.env.BENCH_POSTGRES_URL;
  if (!admin) {
    const cluster = await startPostgres({ maxConnections: 200 });
    cleanups.push(cluster.stop);
    admin = cluster.url;
  }
  return (await createScratchDatabase(admin, "bench")).url;
}

/** The receiver: answers 200 at once, remembers when each delivery first arrived. */
async function receiver() {
  const firstSeen = new Map<string, { at: number; leadId: string }>();
  let total = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      total++;
      const id = String(req.headers["webhook-id"] ?? "");
      if (id && !firstSeen.has(id)) {
        let leadId = "";
        try {
          leadId = (JSON.parse(Buffer.concat(chunks).toString()) as { data: { lead: { id: string } } }).data.lead.id;
        } catch {
          /* the raw-rate phase posts a plain body */
        }
        firstSeen.set(id, { at: performance.now(), leadId });
      }
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  server.keepAliveTimeout = 30_000;
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  cleanups.push(() => server.close());
  return { url: `http://127.0.0.1:${port}`, firstSeen, total: () => total };
}

function peakMemoryMb(pid: number): number {
  // VmHWM is the process's peak resident set; include children in case the server forks workers.
  const pids = [pid, ...spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number)];
  let kb = 0;
  for (const p of pids) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"));
      kb += Number(m?.[1] ?? 0);
    } catch {
      /* exited */
    }
  }
  return kb / 1024;
}

async function main() {
  if (!existsSync(path.join(root, ".next", "BUILD_ID"))) {
    console.log("Building the app…");
    const b = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production", APP_SECRET_KEY: randomBytes(32).toString("base64") } });
    if (b.status !== 0) throw new Error("build failed");
  }
  const url = await database();
  const rx = await receiver();
  const secrets = { NEXTAUTH_SECRET: randomBytes(24).toString("hex"), APP_SECRET_KEY: randomBytes(32).toString("base64"), CRON_SECRET: randomBytes(24).toString("hex") };
  process.env.APP_SECRET_KEY = secrets.APP_SECRET_KEY;

  const seed = await openDatabase(url, "bench");
  const { organization } = await createOrganizationWithAdmin(seed.prisma, { organizationName: "Bench", email: `bench-${Date.now()}@example.test`, password: "password123" });
  await seed.prisma.organization.update({ where: { id: organization.id }, data: { webhooksEnabled: true } });
  await seed.prisma.webhookRule.createMany({
    data: Array.from({ length: FANOUT }, (_, i) => ({ id: newId("rule"), organizationId: organization.id, title: `Client ${i + 1}`, events: ["lead.created"], url: `${rx.url}/client-${i + 1}` })),
  });
  const { key } = await createApiKey(seed.prisma, organization.id, "bench");
  await seed.close();

  const port = await freePort();
  const server: ChildProcess = spawn(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "start", "-p", String(port)], {
    env: { ...process.env, ...secrets, NODE_ENV: "production", DATABASE_URL: url, NEXTAUTH_URL: `http://localhost:${port}`, SCHEDULER: "on", API_RATE_LIMIT: "0", ALLOWED_PRIVATE_NETWORKS: "127.0.0.0/8", ALLOW_INSECURE_URLS: "true" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  cleanups.push(() => server.kill("SIGTERM"));
  const api = new Pool(`http://127.0.0.1:${port}`, { connections: 32 });
  for (let i = 0; ; i++) {
    try {
      if ((await api.request({ path: "/login", method: "GET" }).then((r) => (r.body.dump(), r.statusCode))) < 500) break;
    } catch {
      /* not up yet */
    }
    if (i > 120) throw new Error("server did not start");
    await sleep(250);
  }

  const accepted = new Map<string, number>();
  let seq = 0;
  const postLead = async () => {
    const n = seq++;
    const res = await api.request({
      path: "/api/v1/leads",
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ email: `lead${n}@example.test`, firstName: "Bench", lastName: `Lead ${n}`, phone: "+1 555 0100", customFields: { n } }),
    });
    const text = await res.body.text();
    if (res.statusCode !== 201) throw new Error(`POST /api/v1/leads → ${res.statusCode}: ${text.slice(0, 200)}`);
    accepted.set((JSON.parse(text) as { id: string }).id, performance.now());
  };
  const waitForDeliveries = async (expected: number, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (rx.firstSeen.size < expected && Date.now() < until) await sleep(20);
    return rx.firstSeen.size >= expected;
  };

  // Warm-up (JIT, connection pools, first compilation of routes).
  await Promise.all(Array.from({ length: 50 }, postLead));
  await waitForDeliveries(50 * FANOUT, 60_000);

  // 1. Throughput: EVENTS events as fast as 32 concurrent clients can post them.
  const before = rx.firstSeen.size;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (next++ < EVENTS) await postLead();
  }));
  const acceptedSeconds = (performance.now() - t0) / 1000;
  const complete = await waitForDeliveries(before + EVENTS * FANOUT, 180_000);
  const lastArrival = Math.max(...[...rx.firstSeen.values()].map((v) => v.at));
  const deliveredSeconds = (lastArrival - t0) / 1000;
  const delivered = rx.firstSeen.size - before;

  // 2. Latency at a steady RATE events/s: from the API's 201 to the delivery's first arrival.
  const startIds = new Set(rx.firstSeen.keys());
  const latStart = performance.now();
  const total = RATE * SECONDS;
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = latStart + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(postLead());
  }
  await Promise.all(inflight);
  await waitForDeliveries(startIds.size + total * FANOUT, 120_000);
  const latencies: number[] = [];
  for (const [id, v] of rx.firstSeen) {
    if (startIds.has(id)) continue;
    const a = accepted.get(v.leadId);
    if (a !== undefined) latencies.push(Math.max(0, v.at - a));
  }
  const memory = peakMemoryMb(server.pid!);

  // 3. Raw undici to the same receiver, same concurrency as the dispatcher's pool.
  const raw = new Pool(rx.url, { connections: 64 });
  const body = JSON.stringify({ id: "evt", type: "lead.created", data: { lead: { email: "x@example.test" } } });
  let rawCount = 0;
  const rawUntil = performance.now() + 5000;
  await Promise.all(Array.from({ length: 64 }, async () => {
    while (performance.now() < rawUntil) {
      const r = await raw.request({ path: "/raw", method: "POST", headers: { "content-type": "application/json" }, body });
      await r.body.dump();
      rawCount++;
    }
  }));
  const rawRate = rawCount / 5;
  await raw.close();
  await api.close();

  const deliveriesPerSecond = delivered / deliveredSeconds;
  console.log(`\nLeadhooks delivery benchmark (PostgreSQL, ${FANOUT} matching rules per event)`);
  console.log(`  events accepted:          ${(EVENTS / acceptedSeconds).toFixed(0)} events/s (${EVENTS} events in ${acceptedSeconds.toFixed(2)} s)`);
  console.log(`  deliveries completed:     ${deliveriesPerSecond.toFixed(0)} deliveries/s (${delivered} in ${deliveredSeconds.toFixed(2)} s${complete ? "" : ", INCOMPLETE"})   goal ≥ 5000`);
  console.log(`  raw undici to receiver:   ${rawRate.toFixed(0)} requests/s; ratio ${(deliveriesPerSecond / rawRate).toFixed(3)}   goal ≥ 0.25`);
  console.log(`  accepted → first attempt at ${RATE} events/s: p50 ${pct(latencies, 50).toFixed(1)} ms, p99 ${pct(latencies, 99).toFixed(1)} ms (${latencies.length} deliveries)   goal p99 < 100 ms`);
  console.log(`  server peak memory (RSS): ${memory.toFixed(0)} MB   goal < 400 MB`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench:delivery failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
