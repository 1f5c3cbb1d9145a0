// `npm start`: applies pending migrations, creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD
// when no user exists, builds when the build is missing or older than the sources, then serves.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { databaseOptions, openDatabase } from "@/lib/db";
import { applyLocalDefaults, EnvError, parseEnv, type Env } from "@/lib/core/env";
import { createFirstAdmin, hasAnyUser } from "@/lib/orgs/setup";
import { checkSecretKey } from "@/lib/signing/secret-key-check";
import { checkCanListen, isListeningMessage, listenAddress, listensEverywhere, networkAddress } from "./listen";
import { webNodeFlags } from "./web-heap";

const root = process.cwd();
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const SOURCES = ["app", "components", "lib", "public", "prisma/schema.prisma", "next.config.mjs", "postcss.config.mjs", "tsconfig.json", "tsconfig.next.json", "package.json", "package-lock.json", "instrumentation.ts"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

function organizationNameFor(email: string): string {
  const domain = email.split("@")[1]?.split(".")[0] ?? "";
  return domain ? domain.charAt(0).toUpperCase() + domain.slice(1) : "My Organization";
}

/** Says plainly which outbound safety rules this start relaxes (both are for development). */
function destinationNotices(env: Env): string[] {
  const notices: string[] = [];
  if (env.ALLOW_INSECURE_URLS) notices.push("Warning: ALLOW_INSECURE_URLS is on: webhooks may be sent over plain http://, unencrypted (for development only).");
  if (env.ALLOWED_PRIVATE_NETWORKS.length)
    notices.push(`Warning: ALLOWED_PRIVATE_NETWORKS is set: webhooks may be sent to these private networks: ${env.ALLOWED_PRIVATE_NETWORKS.join(", ")} (for development and tests only).`);
  if (!notices.length) notices.push("Outbound webhooks: https:// only; private, loopback and metadata addresses are blocked.");
  return notices;
}

/**
 * Resolves once the server reports over its IPC channel that it listens on `port`: only the
 * server this start spawned can, while any program holding the port could answer a request there.
 * Never settles when the server exits first (its exit ends this process).
 */
function untilListening(server: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve) => {
    const heard = (message: unknown) => {
      if (!isListeningMessage(message, port)) return;
      server.off("message", heard);
      resolve();
    };
    server.on("message", heard);
  });
}

/** A child's end as an exit status, as a shell gives it (128 + the signal's number when killed). */
function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? constants.signals[signal] : 0);
}

/**
 * Where the server can be reached, for the ready line: only addresses that exist. This machine as
 * localhost when the server listens on every interface or a loopback address (else at HOSTNAME
 * itself), and from another machine the network address the server prints, when it prints one.
 */
function reachableAt(hostname: string | undefined, port: number): { local: string; network?: string } {
  const host = listenAddress(hostname);
  if (!host || listensEverywhere(host)) {
    const ip = networkAddress(); // as scripts/serve.ts picks its Network line
    return { local: `http://localhost:${port}`, ...(ip ? { network: `http://${ip}:${port}` } : {}) };
  }
  if (host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)) return { local: `http://localhost:${port}` };
  return { local: `http://${host.includes(":") ? `[${host}]` : host}:${port}` };
}

function minutesAndSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/**
 * SIGHUP (a closed terminal) and the end of the parent (npm killed with SIGKILL, which it cannot
 * pass on, or npm exiting on SIGHUP without passing it on) stop this start as SIGTERM does: else it
 * and the server would live on under PID 1, holding the port and the PGlite data directory.
 */
function stopWithParent(): void {
  const stop = () => process.kill(process.pid, "SIGTERM");
  process.on("SIGHUP", stop);
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    stop();
  }, 1000);
  watch.unref(); // keeps nothing alive: this process ends with the server (or the build's failure)
}

async function main() {
  stopWithParent();
  const urlGiven = Boolean(process.env.NEXTAUTH_URL?.trim());
  applyLocalDefaults();
  const env = parseEnv(process.env);

  for (const notice of destinationNotices(env)) console.log(notice);

  let needsSetup = false;
  const database = await openDatabase(env.DATABASE_URL, "start", databaseOptions(env));
  try {
    console.log(database.applied.length ? `Applied migrations: ${database.applied.join(", ")}` : "Database schema is up to date.");
    // Before building and serving: with another key than the one the stored secrets were
    // encrypted with, no delivery could be signed and no credential read.
    await checkSecretKey(database.sql, env.APP_SECRET_KEY);
    if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD && !(await hasAnyUser(database.prisma))) {
      await createFirstAdmin(database.prisma, { organizationName: organizationNameFor(env.ADMIN_EMAIL), email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD });
      console.log(`Created the first admin: ${env.ADMIN_EMAIL}`);
    }
    needsSetup = !(await hasAnyUser(database.prisma));
  } finally {
    // PGlite allows one process: release the data directory before the server opens it.
    await database.close();
  }

  // Before the build, which takes minutes: on a port another program holds the server would fail.
  await checkCanListen(env.PORT, env.HOSTNAME || undefined);

  if (buildIsStale()) {
    // Nothing listens during the build: say so, and how long it takes, before a URL is printed.
    const fresh = !existsSync(path.join(root, ".next", "BUILD_ID"));
    console.log(
      `Building the app (${fresh ? "first start" : "the sources changed since the last build"}): this takes a few minutes (about 1–3 on 2 cores, longer on a busy machine). The app is not reachable until it is built and the server says it is ready.`,
    );
    const started = Date.now();
    if ((await runForwardingSignals([nextBin, "build"])) !== 0) throw new Error("next build failed");
    console.log(`Built in ${minutesAndSeconds(Date.now() - started)}. Starting the server…`);
  }

  // The web server (scripts/serve.ts) in its own process, so signals reach it directly, bundled to
  // plain JavaScript by scripts/run.mjs as this script is, with its heap limit (scripts/web-heap.ts).
  // With an IPC channel: the server says on it that it listens (scripts/listen.ts), and stops when
  // this process is gone, however it went.
  const server = spawn(process.execPath, [...webNodeFlags(env.DATABASE_URL), path.join(root, "scripts", "run.mjs"), path.join(root, "scripts", "serve.ts")], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production", PORT: String(env.PORT), ...(env.HOSTNAME ? { HOSTNAME: env.HOSTNAME } : {}) },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(exitStatus(code, signal)));

  // The URL is printed only once our server listens, so it never points at a closed port, nor at
  // another program on it (the server then fails, saying the port is in use, and so does this).
  await untilListening(server, env.PORT);
  const at = reachableAt(env.HOSTNAME || undefined, env.PORT);
  console.log(`Leadhooks is ready at ${at.local}${at.network ? ` (or ${at.network}, from another machine)` : ""}.`);
  // The app's public URL when one is set; else where this server is reachable (the default
  // NEXTAUTH_URL, localhost, does not reach a server listening on another address).
  const url = urlGiven ? env.NEXTAUTH_URL : at.local;
  if (needsSetup) console.log(`No user yet: open ${url}/setup to create the first admin.`);
  else console.log(`Sign in at ${url}/login.`);
}

/**
 * Runs a Node child to its end, handing it SIGINT and SIGTERM: a process manager that stops
 * `npm start` during the minutes-long build must not leave `next build` running on its own.
 * Stopped so (next build then exits with a status of its own), npm start says it was stopped, not
 * that the build failed, and exits with the signal's status.
 */
function runForwardingSignals(args: string[]): Promise<number> {
  const child = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  let stoppedBy: NodeJS.Signals | undefined;
  const forward = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal;
    child.kill(signal);
  };
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      const stop = stoppedBy ?? signal;
      if (stop) {
        console.log(`Stopped by ${stop} during the build.`);
        process.exit(exitStatus(null, stop));
      }
      resolve(code ?? 1);
    }),
  );
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error(`Start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
