import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { webNodeFlags } from "./scripts/web-heap";

// End-to-end tests against the production build (`npm test` builds first; to run these alone:
// `npx next build && npx playwright test`). The server gets a fresh PGlite data directory,
// migrated and seeded by e2e/prepare.ts (accounts in e2e/accounts.ts) before the server (scripts/serve.ts, as `npm start` runs it) opens it.
//
// This file is also loaded by every worker, so everything here must be deterministic: the port
// and directory come from the environment (scripts/test.mjs picks a free port) or fixed defaults.
const port = Number(process.env.E2E_PORT ?? 3297);
const baseURL = `http://localhost:${port}`;
const dataDir = process.env.E2E_DATA_DIR ?? path.join(tmpdir(), `leadhooks-e2e-${port}`, "pglite");

// Debian's chromium when present (Playwright's browser download is blocked on these machines);
// elsewhere Playwright's own (`npx playwright install chromium`).
const systemChromium = "/usr/bin/chromium";

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results",
  fullyParallel: false,
  forbidOnly: true,
  retries: 0,
  // Specs share one server and one database: each spec must create the records it relies on.
  workers: Number(process.env.E2E_WORKERS ?? 2),
  // Limits for a hang, not for speed: under load (another build on the same 2 cores) pages and
  // server round trips take 2-3x longer, and 30 s / 10 s failed sound tests. Specs wait on
  // conditions (expect, expect.poll), never on fixed sleeps, and rely on these defaults.
  timeout: 90_000,
  expect: { timeout: 30_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: existsSync(systemChromium) ? systemChromium : undefined,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    // `exec` hands the shell's PID to next, so one process owns the server and its PGlite lock.
    command: `node node_modules/tsx/dist/cli.mjs e2e/prepare.ts && exec node ${webNodeFlags(`pglite:${dataDir}`).join(" ")} scripts/run.mjs scripts/serve.ts`,
    url: `${baseURL}/login`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
    env: {
      ...(process.env as Record<string, string>),
      NODE_ENV: "production",
      PORT: String(port),
      DATABASE_URL: `pglite:${dataDir}`,
      NEXTAUTH_URL: baseURL,
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "e2e-only-nextauth-secret-0123456789",
      APP_SECRET_KEY: process.env.APP_SECRET_KEY ?? "e2e-only-app-secret-key-0123456789abcdef",
      CRON_SECRET: process.env.CRON_SECRET ?? "e2e-only-cron-secret-0123456789",
      SCHEDULER: "off",
      ALLOW_INSECURE_URLS: "true",
      // Receivers started by the specs listen on loopback.
      ALLOWED_PRIVATE_NETWORKS: "127.0.0.0/8",
      NEXT_TELEMETRY_DISABLED: "1",
    },
  },
});
