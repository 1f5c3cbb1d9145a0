import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = { "@": path.resolve(import.meta.dirname) };

// Unit tests sit beside the code they test (lib/**/*.test.ts) and touch no database or network;
// tests/architecture checks the import boundaries between lib/, components/ and app/.
// Integration tests (tests/integration) run against the database chosen by TEST_DATABASE:
// "pglite" (in memory) or "postgres" (a throwaway cluster started by scripts/test.mjs).
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
          // spy on an object's method and restore it instead.
          isolate: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          setupFiles: ["tests/helpers/setup-integration.ts"],
          // Limits for a hang, not for speed: on a loaded 2-core machine a fresh PGlite and its
          // migrations took over 60 s (load average 14), so a tight limit failed sound tests.
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
