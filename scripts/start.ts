// `npm start`: applies pending migrations, creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD
// when no user exists, builds when the build is missing or older than the sources, then serves.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { databaseOptions, openDatabase } from "@/lib/db";
import { applyLocalDefaults, EnvError, parseEnv, type Env } from "@/lib/core/env";
import { createFirstAdmin, hasAnyUser } from "@/lib/orgs/setup";
import { checkSecretKey } from "@/lib/signing/secret-key-check";
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

/** Where to reach the server from this machine to see whether it listens yet. */
function probeHost(env: Env): string {
  const host = env.HOSTNAME;
  if (!host || host === "0.0.0.0" || host === "::" || host === "[::]") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

/** Resolves once an HTTP request to the server gets any answer; rejects if `stopped` says it is gone. */
function untilListening(host: string, port: number, stopped: () => boolean): Promise<void> {
  const attempt = () =>
    new Promise<boolean>((resolve) => {
      const req = request({ host: host.replace(/^\[|\]$/g, ""), port, path: "/login", method: "HEAD", timeout: 5_000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on("timeout", () => req.destroy());
      req.on("error", () => resolve(false));
      req.end();
    });
  return new Promise((resolve, reject) => {
    const poll = async () => {
      if (stopped()) return reject(new Error("the server stopped before it listened"));
      if (await attempt()) return resolve();
      setTimeout(poll, 250);
    };
    void poll();
  });
}

function minutesAndSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

async function main() {
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
  const server = spawn(process.execPath, [...webNodeFlags(env.DATABASE_URL), path.join(root, "scripts", "run.mjs"), path.join(root, "scripts", "serve.ts")], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", PORT: String(env.PORT), ...(env.HOSTNAME ? { HOSTNAME: env.HOSTNAME } : {}) },
  });
  let exited = false;
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => {
    exited = true;
    process.exit(code ?? (signal ? 1 : 0));
  });

  // The URL is printed only once the server answers, so it never points at a closed port.
  await untilListening(probeHost(env), env.PORT, () => exited);
  console.log(`Leadhooks is ready at ${env.NEXTAUTH_URL} (or the Network address above, from another machine).`);
  if (needsSetup) console.log(`No user yet: open ${env.NEXTAUTH_URL}/setup to create the first admin.`);
  else console.log(`Sign in at ${env.NEXTAUTH_URL}/login.`);
}

/**
 * Runs a Node child to its end, handing it SIGINT and SIGTERM: a process manager that stops
 * `npm start` during the minutes-long build must not leave `next build` running on its own.
 */
function runForwardingSignals(args: string[]): Promise<number> {
  const child = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward).on("SIGTERM", forward);
  return new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      if (signal) process.exit(1); // stopped by a signal: so is npm start
      resolve(code ?? 1);
    }),
  );
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error(`Start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
