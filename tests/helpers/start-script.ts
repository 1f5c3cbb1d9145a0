import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

// Runs `npm start` or `npm run worker` as package.json does (bundled by scripts/run.mjs, one
// process) until it exits, for tests of what stops start-up. `npm start` runs in a scratch working
// directory whose `next` is a stand-in that fails at once: a start that wrongly gets as far as
// building says so in its output instead of building the app for minutes.

const repo = path.resolve(".");
const runner = path.join(repo, "scripts", "run.mjs");
const FAKE_NEXT = `console.log("[fake next] " + process.argv.slice(2).join(" ")); process.exit(1);\n`;

export interface Ended {
  /** The exit status; null when the process was still running after the limit (and was killed). */
  status: number | null;
  /** stdout and stderr, as printed. */
  output: string;
  elapsedMs: number;
}

/**
 * Runs `script` with `env` until it exits. It is killed (status null) once `limitMs` passed, or
 * once its output matches `stopWhen` (a process that started when it should have refused).
 */
export async function runToExit(script: "start" | "worker", env: Record<string, string>, limitMs: number, stopWhen?: RegExp): Promise<Ended> {
  const dir = mkdtempSync(path.join(tmpdir(), `leadhooks-${script}-`));
  try {
    if (script === "start") {
      mkdirSync(path.join(dir, "node_modules", "next", "dist", "bin"), { recursive: true });
      writeFileSync(path.join(dir, "node_modules", "next", "dist", "bin", "next"), FAKE_NEXT);
      symlinkSync(path.join(repo, "prisma"), path.join(dir, "prisma")); // migrations are read from the working directory
    }
    const started = Date.now();
    const child = spawn(process.execPath, [runner, path.join(repo, "scripts", `${script}.ts`)], {
      cwd: script === "start" ? dir : repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NEXTAUTH_SECRET: "start-script-test-nextauth-secret",
        NEXTAUTH_URL: "http://localhost:3999",
        CRON_SECRET: "start-script-test-cron-secret",
        SCHEDULER: "off",
        PORT: "3999",
        ...env,
        // NODE_ENV is left unset on purpose (the scripts default it); hence the cast.
      } as Record<string, string | undefined> as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const status = await new Promise<number | null>((resolve) => {
      const kill = () => {
        clearTimeout(limit);
        child.kill("SIGKILL");
        resolve(null);
      };
      const limit = setTimeout(kill, limitMs);
      const read = (d: Buffer) => {
        output += d.toString();
        if (stopWhen?.test(output)) kill();
      };
      child.stdout!.on("data", read);
      child.stderr!.on("data", read);
      child.on("exit", (code) => {
        clearTimeout(limit);
        resolve(code);
      });
    });
    return { status, output, elapsedMs: Date.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- npm start step by step, with stand-ins for the build and the server ----------------------

// node_modules/next/dist/bin/next's build and scripts/serve.ts are replaced by stand-ins that wait
// for a file each, so each step can be observed; everything else (env, migrations, setup check,
// start.ts) is real. The server stand-in listens, reports it to npm start and stops as the real
// server does (scripts/listen.ts), and says when and why it stops.
const STAGED_NEXT = `
const fs = require("node:fs");
const until = (file, then) => { const t = setInterval(() => { if (fs.existsSync(file)) { clearInterval(t); then(); } }, 25); };
const [cmd] = process.argv.slice(2);
if (cmd === "build") {
  fs.writeFileSync("build.pid", String(process.pid));
  // As next build does: a stop ends it with a status (143, 130), not by the signal.
  process.on("SIGTERM", () => process.exit(143)).on("SIGINT", () => process.exit(130));
  console.log("[fake next] building");
  until("release-build", () => { fs.mkdirSync(".next", { recursive: true }); fs.writeFileSync(".next/BUILD_ID", "fake"); process.exit(0); });
}
`;
const STAGED_SERVE = `
import fs from "node:fs";
import http from "node:http";
import v8 from "node:v8";
import { listen, stopWithStart, tellStartListening } from ${JSON.stringify(path.join(repo, "scripts", "listen.ts"))};
const until = (file, then) => { const t = setInterval(() => { if (fs.existsSync(file)) { clearInterval(t); then(); } }, 25); };
const port = Number(process.env.PORT);
console.log("[fake server] heap limit " + Math.round(v8.getHeapStatistics().heap_size_limit / 1048576) + " MB");
console.log("[fake server] flags " + JSON.stringify(process.execArgv.filter((a) => a.startsWith("--") && !a.startsWith("--import"))));
console.log("[fake server] started, not listening yet");
const stop = (why) => { console.log("[fake server] stopping (" + why + ")"); setTimeout(() => process.exit(0), 200); };
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => stop(signal));
stopWithStart(() => stop("npm start gone"));
until("release-listen", () =>
  listen(http.createServer((req, res) => res.end("fake app")), port, process.env.HOSTNAME || undefined).then(
    () => tellStartListening(port),
    (err) => { console.error("Server start-up failed: " + err.message); process.exit(1); },
  ),
);
`;

/** A port nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface Staged {
  dir: string;
  port: number;
  /** The process started: `npm start`, or (without `npm`) node scripts/run.mjs scripts/start.ts. */
  child: ChildProcess;
  output: () => string;
  /** Resolves when the output contains `text`; fails with the output so far if the process ends first. */
  until: (text: string) => Promise<void>;
  /** Resolves with the exit status (a signal's name when killed by one). */
  exited: Promise<number | string>;
  /** Lets the stand-in build finish, and the stand-in server listen as soon as it starts. */
  release: () => void;
}

const staged: Staged[] = [];

/**
 * Starts `npm start` in a scratch directory (`npm`: through npm and the package.json start script,
 * as a person or a process manager does; otherwise `node scripts/run.mjs scripts/start.ts`) on a
 * free port (or env.PORT), an in-memory database, and the stand-ins above. stopStaged() ends it.
 */
export async function startStaged(env: Record<string, string>, options: { npm?: boolean } = {}): Promise<Staged> {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), "leadhooks-start-"))); // as /proc/<pid>/cwd gives it
  mkdirSync(path.join(dir, "node_modules", "next", "dist", "bin"), { recursive: true });
  writeFileSync(path.join(dir, "node_modules", "next", "dist", "bin", "next"), STAGED_NEXT);
  mkdirSync(path.join(dir, "scripts"));
  writeFileSync(path.join(dir, "scripts", "serve.ts"), STAGED_SERVE);
  symlinkSync(runner, path.join(dir, "scripts", "run.mjs")); // start.ts runs the server with it
  symlinkSync(path.join(repo, "scripts", "start.ts"), path.join(dir, "scripts", "start.ts"));
  symlinkSync(path.join(repo, "prisma"), path.join(dir, "prisma")); // migrations are read from the working directory
  // npm runs the start script of package.json as it is written.
  const { scripts } = JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")) as { scripts: { start: string } };
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "leadhooks-staged", private: true, type: "module", scripts: { start: scripts.start } }));
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const [command, args] = options.npm ? ["npm", ["start"]] : [process.execPath, [runner, path.join(repo, "scripts", "start.ts")]];
  const child = spawn(command, args, {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NEXTAUTH_SECRET: "start-output-test-nextauth-secret",
      NEXTAUTH_URL: `http://localhost:${port}`,
      APP_SECRET_KEY: "start-output-test-app-secret-key-0123456789",
      CRON_SECRET: "start-output-test-cron-secret",
      DATABASE_URL: "pglite:memory",
      SCHEDULER: "off",
      npm_config_update_notifier: "false",
      ...env,
      PORT: String(port),
      // NODE_ENV is left unset on purpose (the script defaults it); hence the cast.
    } as Record<string, string | undefined> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const waiters: { text: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) if (out.includes(w.text)) waiters.splice(waiters.indexOf(w), 1) && w.resolve();
  };
  child.stdout!.on("data", (d: Buffer) => ((out += d.toString()), check()));
  child.stderr!.on("data", (d: Buffer) => ((out += d.toString()), check()));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`npm start ended before printing ${JSON.stringify(w.text)}:\n${out}`));
      resolve(code ?? signal!);
    }),
  );
  const started: Staged = {
    dir,
    port,
    child,
    output: () => out,
    until: (text) =>
      new Promise((resolve, reject) => {
        waiters.push({ text, resolve, reject });
        check();
      }),
    exited,
    release: () => {
      writeFileSync(path.join(dir, "release-listen"), "");
      writeFileSync(path.join(dir, "release-build"), "");
    },
  };
  staged.push(started);
  return started;
}

/**
 * For afterEach: ends every process startStaged started and what they started (found by their
 * working directory, so orphans a failing test left too), and removes their directories.
 */
export function stopStaged(): void {
  for (const s of staged.splice(0)) {
    for (const entry of readdirSync("/proc")) {
      try {
        if (/^\d+$/.test(entry) && readlinkSync(`/proc/${entry}/cwd`) === s.dir) process.kill(Number(entry), "SIGKILL");
      } catch {
        /* gone, or not ours to read */
      }
    }
    rmSync(s.dir, { recursive: true, force: true });
  }
}

export interface ProcessInfo {
  pid: number;
  /** Its command line, arguments as given. */
  args: string[];
}

/** `pid` and its descendants, parents first (from /proc). */
export function processTree(pid: number): ProcessInfo[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The parent is the second field after the parenthesized command name, which may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const tree: ProcessInfo[] = [];
  const visit = (p: number) => {
    let args: string[];
    try {
      args = readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").filter(Boolean);
    } catch {
      return; // exited meanwhile
    }
    if (isRunning(p)) tree.push({ pid: p, args });
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return tree;
}

/** Whether `pid` still runs: not gone, nor a zombie (an orphan's is reaped by whatever PID 1 is, maybe never). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat[stat.lastIndexOf(")") + 2] !== "Z";
  } catch {
    return false; // no such process
  }
}
