import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { webNodeFlags } from "@/scripts/web-heap";

// What `npm start` tells the person starting it: what it is doing while nothing listens (the
// build takes minutes), the URL only once the server answers, and which outbound safety rules
// the environment relaxes. `next` is replaced by a stand-in whose build and listen the test
// releases, so each step can be observed; everything else (env, migrations, setup check) is real.

const repo = path.resolve(".");
// As `npm start` runs it (package.json): bundled by scripts/run.mjs, one process.
const runner = path.join(repo, "scripts", "run.mjs");

// The stand-ins for node_modules/next/dist/bin/next (its build) and scripts/serve.ts (the server
// npm start runs): each waits for a file.
const FAKE_NEXT = `
const fs = require("node:fs");
const until = (file, then) => { const t = setInterval(() => { if (fs.existsSync(file)) { clearInterval(t); then(); } }, 25); };
const [cmd] = process.argv.slice(2);
if (cmd === "build") {
  fs.writeFileSync("build.pid", String(process.pid));
  console.log("[fake next] building");
  until("release-build", () => { fs.mkdirSync(".next", { recursive: true }); fs.writeFileSync(".next/BUILD_ID", "fake"); process.exit(0); });
}
`;
const FAKE_SERVE = `
import fs from "node:fs";
import http from "node:http";
import v8 from "node:v8";
const until = (file, then) => { const t = setInterval(() => { if (fs.existsSync(file)) { clearInterval(t); then(); } }, 25); };
console.log("[fake server] heap limit " + Math.round(v8.getHeapStatistics().heap_size_limit / 1048576) + " MB");
console.log("[fake server] flags " + JSON.stringify(process.execArgv.filter((a) => a.startsWith("--") && !a.startsWith("--import"))));
console.log("[fake server] started, not listening yet");
until("release-listen", () => http.createServer((req, res) => res.end("fake app")).listen(Number(process.env.PORT)));
process.on("SIGTERM", () => process.exit(0));
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Started {
  dir: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  /** Resolves when the output contains `text`; fails with the output so far if the process ends first. */
  until: (text: string) => Promise<void>;
}

const running: Started[] = [];
afterEach(() => {
  for (const s of running.splice(0)) {
    s.child.kill("SIGTERM");
    rmSync(s.dir, { recursive: true, force: true });
  }
});

async function start(env: Record<string, string>): Promise<Started> {
  const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-start-"));
  mkdirSync(path.join(dir, "node_modules", "next", "dist", "bin"), { recursive: true });
  writeFileSync(path.join(dir, "node_modules", "next", "dist", "bin", "next"), FAKE_NEXT);
  mkdirSync(path.join(dir, "scripts"));
  writeFileSync(path.join(dir, "scripts", "serve.ts"), FAKE_SERVE);
  symlinkSync(runner, path.join(dir, "scripts", "run.mjs")); // start.ts runs the server with it
  symlinkSync(path.join(repo, "prisma"), path.join(dir, "prisma")); // migrations are read from the working directory
  const port = await freePort();
  const child = spawn(process.execPath, [runner, path.join(repo, "scripts", "start.ts")], {
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
      PORT: String(port),
      ...env,
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
  child.on("exit", () => {
    for (const w of waiters.splice(0)) w.reject(new Error(`npm start ended before printing ${JSON.stringify(w.text)}:\n${out}`));
  });
  const started: Started = {
    dir,
    port,
    child,
    output: () => out,
    until: (text) =>
      new Promise((resolve, reject) => {
        waiters.push({ text, resolve, reject });
        check();
      }),
  };
  running.push(started);
  return started;
}

// Each test starts tsx, opens and migrates a fresh PGlite: ~5 s on a quiet machine, 30 s seen under load.
describe("npm start output", { timeout: 180_000 }, () => {
  it("says the build takes minutes, prints the URL only once the server answers, and names the relaxed destination rules", async () => {
    const s = await start({ ALLOW_INSECURE_URLS: "true", ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/8, 127.0.0.0/8" });
    await s.until("[fake next] building");
    expect(s.output()).toContain("Warning: ALLOW_INSECURE_URLS is on: webhooks may be sent over plain http://");
    expect(s.output()).toContain("Warning: ALLOWED_PRIVATE_NETWORKS is set: webhooks may be sent to these private networks: 10.0.0.0/8, 127.0.0.0/8");
    expect(s.output()).toMatch(/Building the app \(first start\): this takes a few minutes/);
    expect(s.output()).toContain("not reachable until it is built");
    expect(s.output()).not.toContain(`http://localhost:${s.port}`);

    writeFileSync(path.join(s.dir, "release-build"), "");
    await s.until("[fake server] started, not listening yet");
    expect(s.output()).toMatch(/Built in \d+ s\. Starting the server…/);
    // Nothing listens yet, so no URL has been printed.
    expect(s.output()).not.toContain(`http://localhost:${s.port}`);

    writeFileSync(path.join(s.dir, "release-listen"), "");
    await s.until("/setup to create the first admin.");
    expect(s.output()).toContain(`Leadhooks is ready at http://localhost:${s.port}`);
    expect(s.output()).toContain(`No user yet: open http://localhost:${s.port}/setup to create the first admin.`);
    // The URL answers the moment it is printed.
    const res = await fetch(`http://localhost:${s.port}/setup`);
    expect(await res.text()).toBe("fake app");
  });

  it("stopping npm start during the build stops the build too (a process manager's SIGTERM leaves nothing running)", async () => {
    const s = await start({});
    await s.until("[fake next] building");
    const buildPid = Number(readFileSync(path.join(s.dir, "build.pid"), "utf8"));
    const exited = new Promise((resolve) => s.child.on("exit", resolve));
    s.child.kill("SIGTERM");
    await exited;
    const alive = () => {
      try {
        process.kill(buildPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 30_000, interval: 100 }).toBe(false);
  });

  // scripts/web-heap.ts: V8 grows the heap by less before it collects under a 512 MB limit than
  // under the default one (4 GB on a machine with 16 GB or more).
  const heapLimit = async (s: Started) => {
    await s.until("[fake next] building");
    writeFileSync(path.join(s.dir, "release-build"), "");
    await s.until("[fake server] started");
    return Number(/\[fake server\] heap limit (\d+) MB/.exec(s.output())?.[1]);
  };

  it("starts the server with a 512 MB old generation (its heap limit: that and the young generation)", async () => {
    const limit = await heapLimit(await start({}));
    expect(limit).toBeGreaterThanOrEqual(512);
    expect(limit).toBeLessThan(650);
  });

  it("leaves WebAssembly's optimizing compiler on with PGlite (PostgreSQL runs as WebAssembly in the process); on PostgreSQL, Liftoff only", async () => {
    const s = await start({});
    await heapLimit(s);
    expect(JSON.parse(/\[fake server\] flags (.*)/.exec(s.output())![1]!)).toEqual(["--max-old-space-size=512"]);
    // What npm start gives a server on PostgreSQL; this Node takes it.
    expect(webNodeFlags("postgres://leadhooks@db.internal/leadhooks", "")).toEqual(["--max-old-space-size=512", "--liftoff-only"]);
    expect(webNodeFlags("postgresql://leadhooks@localhost/leadhooks?host=/var/run/postgresql", "--max-old-space-size=900")).toEqual(["--liftoff-only"]);
    expect(webNodeFlags("pglite:./data/pglite", "")).toEqual(["--max-old-space-size=512"]);
    const node = spawnSync(process.execPath, [...webNodeFlags("postgres://x/y", ""), "-e", "process.stdout.write('ran')"], { encoding: "utf8" });
    expect([node.status, node.stdout, node.stderr]).toEqual([0, "ran", ""]);
  });

  it("keeps the heap limit an operator sets in NODE_OPTIONS", async () => {
    const limit = await heapLimit(await start({ NODE_OPTIONS: "--max-old-space-size=900" }));
    expect(limit).toBeGreaterThanOrEqual(900);
    expect(limit).toBeLessThan(1050);
  });

  it("says outbound webhooks are https-only with private addresses blocked when neither setting is on", async () => {
    const s = await start({});
    await s.until("[fake next] building");
    expect(s.output()).toContain("Outbound webhooks: https:// only; private, loopback and metadata addresses are blocked.");
    expect(s.output()).not.toContain("Warning:");
  });
});
