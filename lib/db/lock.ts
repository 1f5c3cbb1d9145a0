import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

// PGlite is single-process: two processes opening one data directory corrupt it. Whoever opens
// the directory holds this lock file; others refuse with a clear message instead.

export class DatabaseLockedError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const held = new Set<string>();

export function lockFile(dataDir: string): string {
  return path.join(dataDir, "leadhooks.lock");
}

export function acquirePgliteLock(dataDir: string, role: string): () => void {
  const file = lockFile(dataDir);
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, role, since: new Date().toISOString() }));
      closeSync(fd);
      held.add(file);
      const release = () => {
        if (!held.delete(file)) return;
        try {
          const owner = JSON.parse(readFileSync(file, "utf8")) as { pid: number };
          if (owner.pid === process.pid) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      let owner: { pid: number; role?: string } | null = null;
      try {
        owner = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        owner = null;
      }
      if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
        throw new DatabaseLockedError(
          `The embedded database at ${dataDir} is in use by process ${owner.pid} (${owner.role ?? "unknown"}). ` +
            `PGlite allows one process at a time: stop that process first, or run on PostgreSQL (DATABASE_URL=postgres://…) to use the CLI beside the server.`,
        );
      }
      // Stale lock from a process that is gone (or our own from before a fork): take it over.
      try {
        unlinkSync(file);
      } catch {
        /* raced with another cleaner */
      }
    }
  }
  throw new DatabaseLockedError(`Could not lock the embedded database at ${dataDir}`);
}
