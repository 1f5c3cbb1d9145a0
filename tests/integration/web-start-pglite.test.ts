import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "@/scripts/pg-cluster.mjs";
import { spawnWebProcess } from "../helpers/app-processes";
import { ensureBuilt } from "../helpers/build";

// Only one process may open a PGlite data directory. A second web server on a directory the first
// one holds must stop at start, saying so, before it listens: it used to open the database at its
// first request, say it was ready, and then answer every page with 500. (PGlite only: on
// PostgreSQL any number of web servers share a database.)

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));
beforeAll(ensureBuilt, 900_000); // a build, or waiting for npm test's: minutes on a busy machine

describe("a second web server on the same PGlite data directory", () => {
  it("exits 1 naming the process that holds it, and never listens; the first goes on answering", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-web-twice-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `pglite:${path.join(dir, "pglite")}`;
    const firstPort = await freePort();
    const first = spawnWebProcess(url, firstPort, (kill) => cleanups.push(kill));
    await vi.waitFor(
      async () => {
        if (first.gone()) throw new Error(`the first server exited:\n${first.output()}`);
        expect((await fetch(`http://127.0.0.1:${firstPort}/login`, { redirect: "manual" })).status).toBeLessThan(500);
      },
      { timeout: 120_000, interval: 250 },
    );

    const secondPort = await freePort();
    const second = spawnWebProcess(url, secondPort, (kill) => cleanups.push(kill));
    await vi.waitFor(() => expect(second.gone(), `the second server still runs:\n${second.output()}`).toBe(true), { timeout: 120_000, interval: 250 });
    expect(await second.exited, second.output()).toBe(1);
    expect(second.output()).toMatch(/Server start-up failed: .*in use by process \d+/);
    await expect(fetch(`http://127.0.0.1:${secondPort}/login`)).rejects.toThrow();
    expect((await fetch(`http://127.0.0.1:${firstPort}/login`, { redirect: "manual" })).status).toBeLessThan(500);
  }, 240_000);
});
