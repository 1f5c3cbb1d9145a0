// One `next build` at a time in a checkout. `npm test` runs its suites side by side: the browser
// suite builds the app while a PostgreSQL test may need a build of its own to run the web server
// (tests/integration/secret-key-presence.postgres.test.ts). Two builds writing .next at once break
// each other, so each takes this lock, a directory made atomically beside .next (a build empties
// .next), and one that finds it waits. A lock whose holder died (its pid no longer runs) is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const running = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
};

/** Runs `fn` holding the build lock of checkout `root`; resolves with its result. */
export async function withBuildLock(root, fn, { pollMs = 500 } = {}) {
  const dir = path.join(root, ".next-build.lock");
  const pidFile = path.join(dir, "pid");
  for (let bornless = 0; ; ) {
    try {
      mkdirSync(dir);
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(pidFile, "utf8"));
    } catch {
      // Made a moment ago, its pid not written yet; or left by a holder killed in between (after 10 s).
      if (++bornless * pollMs > 10_000) rmSync(dir, { recursive: true, force: true });
    }
    if (Number.isInteger(holder) && holder > 0 && !running(holder)) rmSync(dir, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  writeFileSync(pidFile, String(process.pid));
  try {
    return await fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
