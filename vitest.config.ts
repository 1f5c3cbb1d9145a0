import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

// Unit tests sit beside the code they test (lib/**/*.test.ts) and touch no database or network;
// tests/architecture checks the import boundaries between lib/, components/ and app/.
// Integration tests (tests/integration) run against the database chosen by TEST_DATABASE:
// "pglite" (in memory) or "postgres" (a throwaway cluster started by scripts/test.mjs).
// A file that uses none of the test database helpers (it runs `npm start`, the test runner, an HTTP
// client, or a cluster of its own) would run the same on both, so it runs once, with PGlite.
const integrationDir = path.join(import.meta.dirname, "tests", "integration");
const DATABASE_HELPERS = /\b(useTestDatabase|freshDatabase|TEST_DATABASE|openDatabase|databaseForAProcess)\b/;
const databaseFree = readdirSync(integrationDir)
  .filter((f) => f.endsWith(".test.ts") && !DATABASE_HELPERS.test(readFileSync(path.join(integrationDir, f), "utf8")))
  .map((f) => `tests/integration/${f}`);

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts", "tests/architecture/**/*.test.ts"],
          environment: "node",
          // Unit tests share their modules' instances across files (a fresh set per file took 45 s of
          // the suite's 58 s on 2 cores), so none may replace a module (vi.mock) or leave state behind:
          // spy on an object's method and restore it instead (tests/architecture/shared-modules.test.ts).
          isolate: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          // *.postgres.test.ts files test what only PostgreSQL has (server restarts, connections
          // that go silent, several processes): they run with PostgreSQL only.
          exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE === "postgres" ? databaseFree : ["tests/integration/**/*.postgres.test.ts"])],
          environment: "node",
          setupFiles: ["tests/helpers/setup-integration.ts"],
          // Files share module instances, one after another (as in the unit project): the setup
          // file gives each the environment it started with, and none replaces a module.
          isolate: false,
          // Limits for a hang, not for speed: on a loaded 2-core machine a fresh PGlite and its
          // migrations took over 60 s (load average 14), so a tight limit failed sound tests.
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
