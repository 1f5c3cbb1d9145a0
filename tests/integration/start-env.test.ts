import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

// `npm start`, `npm run worker` and `npm run db:migrate` must stop before touching the database or building when the
// environment is wrong, and say which variable is wrong.

const tsx = path.resolve("node_modules", "tsx", "dist", "cli.mjs");
const bundledRunner = path.resolve("scripts", "run.mjs");
/** As package.json runs each: the long-lived processes bundled by scripts/run.mjs, the rest by tsx. */
const runnerOf = (script: string) => (/scripts\/(start|worker)\.ts$/.test(script) ? bundledRunner : tsx);

function run(script: string, overrides: Record<string, string>) {
  // NODE_ENV is left unset on purpose (the scripts default it); hence the cast.
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    // Set so the scripts never generate local secrets into the repository's ./data.
    NEXTAUTH_SECRET: "start-env-test-nextauth-secret",
    NEXTAUTH_URL: "http://localhost:3999",
    APP_SECRET_KEY: "start-env-test-app-secret-key-0123456789",
    CRON_SECRET: "start-env-test-cron-secret",
    DATABASE_URL: "pglite:memory",
    SCHEDULER: "off",
    ...overrides,
  } as Record<string, string | undefined> as NodeJS.ProcessEnv;
  return spawnSync(process.execPath, [runnerOf(script), script], { env, encoding: "utf8", timeout: 60_000 });
}

describe("start-up with a bad environment", () => {
  it("npm start exits 1 naming DATABASE_URL", () => {
    const res = run("scripts/start.ts", { DATABASE_URL: "mysql://root@localhost/app" });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain("Invalid environment configuration");
    expect(res.stderr).toMatch(/DATABASE_URL: must be pglite:<dir>, pglite:memory or postgres/);
    expect(res.stdout).not.toMatch(/Building|Applied migrations/);
  });

  it("npm start exits 1 naming APP_SECRET_KEY and ALLOW_INSECURE_URLS together", () => {
    const res = run("scripts/start.ts", { APP_SECRET_KEY: "too-short", ALLOW_INSECURE_URLS: "sometimes" });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/APP_SECRET_KEY: must be at least 32 characters/);
    expect(res.stderr).toMatch(/ALLOW_INSECURE_URLS/);
  });

  it("npm start and npm run worker exit 1 when DELIVERY_WORKERS=external meets the embedded database", () => {
    for (const script of ["scripts/start.ts", "scripts/worker.ts"]) {
      const res = run(script, { DATABASE_URL: "pglite:memory", DELIVERY_WORKERS: "external" });
      expect(res.status, script).toBe(1);
      expect(res.stderr).toMatch(/DELIVERY_WORKERS: external needs PostgreSQL: the embedded database \(DATABASE_URL=pglite:…\) is opened by one process only/);
      expect(res.stdout).not.toMatch(/Building|Applied migrations|started/);
    }
  });

  it("npm run db:migrate exits 1 naming ALLOWED_PRIVATE_NETWORKS", () => {
    const res = run("scripts/db-migrate.ts", { ALLOWED_PRIVATE_NETWORKS: "10.0.0.0/8,not-a-network" });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/ALLOWED_PRIVATE_NETWORKS\.1: must be a CIDR/);
  });
});
