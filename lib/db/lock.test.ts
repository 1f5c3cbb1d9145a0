import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquirePgliteLock, DatabaseLockedError, lockFile } from "./lock";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "leadhooks-lock-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeOwner(pid: number, role: string) {
  writeFileSync(lockFile(dir), JSON.stringify({ pid, role, since: new Date().toISOString() }));
}

describe("PGlite data-directory lock", () => {
  it("records this process as the owner and removes the file on release", () => {
    const release = acquirePgliteLock(dir, "server");
    expect(JSON.parse(readFileSync(lockFile(dir), "utf8"))).toMatchObject({ pid: process.pid, role: "server" });
    release();
    expect(existsSync(lockFile(dir))).toBe(false);
    release(); // releasing twice is harmless
    acquirePgliteLock(dir, "cli")();
  });

  it("refuses while another live process holds it, naming the process and what to do", () => {
    // Our parent process is alive and is not us: exactly what a running server looks like.
    writeOwner(process.ppid, "server");
    let error: unknown;
    try {
      acquirePgliteLock(dir, "cli");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DatabaseLockedError);
    expect((error as Error).message).toContain(`in use by process ${process.ppid} (server)`);
    expect((error as Error).message).toMatch(/stop that process first|PostgreSQL/);
    // The owner's lock is left alone.
    expect(JSON.parse(readFileSync(lockFile(dir), "utf8")).pid).toBe(process.ppid);
  });

  it("takes over a lock left by a process that has exited", () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeOwner(dead, "crashed server");
    const release = acquirePgliteLock(dir, "server");
    expect(JSON.parse(readFileSync(lockFile(dir), "utf8")).pid).toBe(process.pid);
    release();
  });

  it("takes over an unreadable lock file", () => {
    writeFileSync(lockFile(dir), "{ not json");
    const release = acquirePgliteLock(dir, "server");
    expect(JSON.parse(readFileSync(lockFile(dir), "utf8")).pid).toBe(process.pid);
    release();
  });

  it("is refused across real processes", () => {
    // A live child process owns the lock file (as a server would); this process must back off.
    const script = `
      const fs = require("node:fs");
      fs.writeFileSync(${JSON.stringify(lockFile(dir))}, JSON.stringify({ pid: process.pid, role: "child" }));
      process.stdout.write("ready\\n");
      setTimeout(() => {}, 10000);
    `;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    return new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => {
        try {
          expect(() => acquirePgliteLock(dir, "cli")).toThrow(new RegExp(`in use by process ${child.pid} \\(child\\)`));
          resolve();
        } catch (err) {
          reject(err);
        } finally {
          child.kill();
        }
      });
    });
  });
});
