// `npm start`: applies pending migrations, creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD
// when no user exists, builds when the build is missing or older than the sources, then serves.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { openDatabase } from "@/lib/db";
import { applyLocalDefaults, EnvError, parseEnv } from "@/lib/env";
import { createFirstAdmin, hasAnyUser } from "@/lib/orgs/setup";

const KEEP_ALIVE_MS = 65_000;

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

async function main() {
  applyLocalDefaults();
  const env = parseEnv(process.env);

  const database = await openDatabase(env.DATABASE_URL, "start");
  try {
    console.log(database.applied.length ? `Applied migrations: ${database.applied.join(", ")}` : "Database schema is up to date.");
    if (env.ADMIN_EMAIL && env.ADMIN_PASSWORD && !(await hasAnyUser(database.prisma))) {
      await createFirstAdmin(database.prisma, { organizationName: organizationNameFor(env.ADMIN_EMAIL), email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD });
      console.log(`Created the first admin: ${env.ADMIN_EMAIL}`);
    } else if (!(await hasAnyUser(database.prisma))) {
      console.log(`No user yet: open ${env.NEXTAUTH_URL}/setup to create the first admin.`);
    }
  } finally {
    // PGlite allows one process: release the data directory before the server opens it.
    await database.close();
  }

  if (buildIsStale()) {
    console.log("Building the app (the build is missing or older than the sources)…");
    const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
    if (build.status !== 0) throw new Error("next build failed");
  }

  // Idle keep-alive connections stay open longer than clients and proxies keep theirs (Node's 5 s
  // default closes a socket just as a client reuses it: ECONNRESET on a good request).
  const args = [nextBin, "start", "-p", String(env.PORT), "--keepAliveTimeout", String(KEEP_ALIVE_MS)];
  if (env.HOSTNAME) args.push("-H", env.HOSTNAME);
  const server = spawn(process.execPath, args, { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((err: unknown) => {
  if (err instanceof EnvError) console.error(err.message);
  else console.error(`Start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
