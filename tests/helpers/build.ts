import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { withBuildLock } from "@/scripts/build-lock.mjs";

const repo = path.resolve(".");

/**
 * Makes sure the app is built (.next), for a test that runs the web server (scripts/serve.ts);
 * any build will do, as the server's own code is bundled from the sources. Under the build lock:
 * in `npm test` the browser suite builds beside the integration suites, and two builds writing
 * .next at once break each other; this waits for that one. Minutes when it builds or waits: call
 * it from a beforeAll with a long limit.
 */
export async function ensureBuilt(): Promise<void> {
  await withBuildLock(repo, () => {
    if (existsSync(path.join(repo, ".next", "BUILD_ID"))) return;
    const built = spawnSync(process.execPath, [path.join(repo, "node_modules", "next", "dist", "bin", "next"), "build"], {
      cwd: repo,
      env: { ...process.env, NODE_ENV: "production", DATABASE_URL: "pglite:memory", NEXT_TELEMETRY_DISABLED: "1" },
      encoding: "utf8",
    });
    if (built.status !== 0) throw new Error(`next build failed:\n${built.stdout}${built.stderr}`);
  });
}
