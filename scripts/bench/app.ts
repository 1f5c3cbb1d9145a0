// The processes a benchmark phase runs: the built app's web server and, once the app has a worker
// role, its workers. Each is started with the same environment and measured by its peak RSS.
import { treeCpu } from "./cpu";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../pg-cluster.mjs";
import { webNodeFlags } from "../web-heap";

const root = process.cwd();
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
const serveScript = path.join(root, "scripts/serve.ts");
const workerScript = path.join(root, "scripts/worker.ts");
const runScript = path.join(root, "scripts/run.mjs");
const cleanups: (() => void)[] = [];

/** Runs `fn` when the benchmark exits, however it exits (last registered, first run). */
export function atExit(fn: () => void): void {
  cleanups.push(fn);
}
process.on("exit", () => cleanups.reverse().forEach((c) => c()));
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => process.exit(130));

/** Secrets shared by the benchmark (which seeds signing keys) and every process it starts. */
const secrets = { NEXTAUTH_SECRET: randomBytes(24).toString("hex"), APP_SECRET_KEY: randomBytes(32).toString("base64"), CRON_SECRET: randomBytes(24).toString("hex") };
process.env.APP_SECRET_KEY = secrets.APP_SECRET_KEY;

export function appEnv(databaseUrl: string, port: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...process.env, ...secrets, NODE_ENV: "production", DATABASE_URL: databaseUrl, NEXTAUTH_URL: `http://localhost:${port}`,
    SCHEDULER: "on", API_RATE_LIMIT: "0", ALLOWED_PRIVATE_NETWORKS: "127.0.0.0/8", ALLOW_INSECURE_URLS: "true", ...extra,
  };
}

export function buildIfMissing(): void {
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) return;
  console.log("Building the app…");
  const b = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production", APP_SECRET_KEY: secrets.APP_SECRET_KEY } });
  if (b.status !== 0) throw new Error("build failed");
}

/** Where the processes' stderr goes (kept after the run, to read what a server logged). */
export const logDir = mkdtempSync(path.join(tmpdir(), "leadhooks-bench-logs-"));

export interface AppProcess {
  /** Its stderr. */
  logFile: string;
  /** The largest peak resident set (VmHWM) among the process and its descendants, in MB. */
  peakRssMb(): number;
  /** CPU seconds the process and its descendants have used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function descendants(pid: number): number[] {
  const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
  return [pid, ...children.flatMap(descendants)];
}

/**
 * Starts a command in its own process group (stopping it stops what it started: npm → node), its
 * stderr in `<logDir>/<name>.log`.
 */
function launch(name: string, command: string, args: string[], env: NodeJS.ProcessEnv): AppProcess & { child: ChildProcess } {
  const logFile = path.join(logDir, `${name}.log`);
  const out = openSync(logFile, "a");
  const child = spawn(command, args, { env, stdio: ["ignore", "ignore", out], detached: true });
  closeSync(out);
  return { ...track(child, logFile), child };
}

function track(child: ChildProcess, logFile: string): AppProcess {
  let exited = child.exitCode !== null;
  child.on("exit", () => (exited = true));
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, s);
    } catch {
      /* already gone */
    }
  };
  const stop = async () => {
    if (exited) return;
    signal("SIGTERM");
    const killer = setTimeout(() => signal("SIGKILL"), 5000);
    await new Promise((r) => child.once("exit", r));
    clearTimeout(killer);
  };
  atExit(() => {
    if (!exited) signal("SIGKILL");
  });
  return {
    logFile,
    cpuSeconds: () => treeCpu(child.pid!),
    peakRssMb: () => {
      let kb = 0;
      for (const p of descendants(child.pid!)) {
        try {
          kb = Math.max(kb, Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0));
        } catch {
          /* exited meanwhile */
        }
      }
      return kb / 1024;
    },
    stop,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** With BENCH_PROFILE_DIR set, the web process and each worker write a V8 CPU profile there when they stop. */
function profiling(): string[] {
  const dir = process.env.BENCH_PROFILE_DIR;
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(dir)}`] : [];
}

/** Starts the production web server (as `npm start` runs it) on the database and waits until it answers. */
export async function startWeb(name: string, databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<AppProcess & { url: string }> {
  const port = await freePort();
  const { child, ...web } = launch(`${name}-web`, process.execPath, [...profiling(), ...webNodeFlags(databaseUrl), runScript, serveScript], appEnv(databaseUrl, port, { PORT: String(port), ...extraEnv }));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}) before it listened: see ${web.logFile}`);
    try {
      if ((await fetch(`${url}/login`, { redirect: "manual" })).status < 500) break;
    } catch {
      /* not listening yet */
    }
    if (i > 480) {
      await web.stop();
      throw new Error(`the server did not listen within 2 minutes: see ${web.logFile}`);
    }
    await sleep(250);
  }
  return { ...web, url };
}

/** True once the app has a worker role (`npm run worker`). */
export function hasWorkerRole(): boolean {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  return Boolean(pkg.scripts?.worker);
}

/**
 * The one place that knows how the deployment with workers is run: a web process that only
 * accepts events (DELIVERY_WORKERS=external: it neither ticks nor dispatches after an event) and
 * `count` worker processes on the same database, with the same secrets.
 */
export async function startWebWithWorkers(name: string, databaseUrl: string, count: number): Promise<{ web: AppProcess & { url: string }; workers: AppProcess[] }> {
  const web = await startWeb(name, databaseUrl, { DELIVERY_WORKERS: "external" });
  const env = appEnv(databaseUrl, Number(new URL(web.url).port), {});
  // As `npm run worker` runs it (package.json), with the profiler when asked.
  const workers = Array.from({ length: count }, (_, i) => launch(`${name}-worker-${i + 1}`, process.execPath, [...profiling(), runScript, workerScript], env));
  return { web, workers };
}
