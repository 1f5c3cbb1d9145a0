import { afterEach, describe, expect, it, vi } from "vitest";
import { isRunning, processTree, startStaged, stopStaged, type ProcessInfo } from "../helpers/start-script";

// Stopping `npm start` as a person (Ctrl-C) or a process manager (SIGTERM to the PID it started)
// does: a signal to any process of its tree (npm, node scripts/run.mjs scripts/start.ts, the web
// server) stops them all, the server by its own graceful stop. Real npm, start.ts and processes;
// the build and the server are stand-ins (startStaged) that say when and why they stop.

afterEach(stopStaged);

const isStart = (p: ProcessInfo) => p.args.some((a) => /(^|\/)scripts\/start\.ts$/.test(a));
const isServer = (p: ProcessInfo) => p.args.some((a) => /(^|\/)scripts\/serve\.ts$/.test(a));

/** `npm start` through npm, once it says the app is ready; its tree of processes then. */
async function readyThroughNpm() {
  const s = await startStaged({}, { npm: true });
  s.release();
  await s.until("Leadhooks is ready at");
  const tree = processTree(s.child.pid!);
  const start = tree.find(isStart);
  const server = tree.find(isServer);
  expect(start, JSON.stringify(tree)).toBeDefined();
  expect(server, JSON.stringify(tree)).toBeDefined();
  return { s, tree, start: start!.pid, server: server!.pid };
}

/** Waits (generously: a busy machine) until no process of `tree` runs. */
async function untilAllGone(tree: ProcessInfo[]) {
  await vi.waitFor(
    () => {
      const left = tree.filter((p) => isRunning(p.pid));
      expect(left, `still running: ${JSON.stringify(left)}`).toEqual([]);
    },
    { timeout: 60_000, interval: 200 },
  );
}

// Each test starts npm, bundles start.ts and migrates a fresh PGlite: ~5 s on a quiet machine, 30 s seen under load.
describe("stopping npm start", { timeout: 180_000 }, () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    it(`${signal} to npm alone stops every process of the tree, the server gracefully, and npm exits 0`, async () => {
      const { s, tree } = await readyThroughNpm();
      s.child.kill(signal);
      await untilAllGone(tree);
      expect(s.output()).toContain(`[fake server] stopping (${signal})`);
      expect(await s.exited).toBe(0);
    });

  // npm cannot pass SIGKILL on, and exits 129 on SIGHUP without passing it on: start.ts notices
  // that its parent is gone and stops as on SIGTERM, so nothing keeps the port or the data directory.
  for (const signal of ["SIGKILL", "SIGHUP"] as const)
    it(`${signal} to npm alone stops every process of the tree, the server gracefully`, async () => {
      const { s, tree } = await readyThroughNpm();
      s.child.kill(signal);
      await untilAllGone(tree);
      expect(s.output()).toContain("[fake server] stopping (SIGTERM)");
    });

  it("SIGHUP to node scripts/run.mjs scripts/start.ts stops it as SIGTERM does", async () => {
    const { s, tree, start } = await readyThroughNpm();
    process.kill(start, "SIGHUP");
    await untilAllGone(tree);
    expect(s.output()).toContain("[fake server] stopping (SIGTERM)");
  });

  it("SIGTERM to node scripts/run.mjs scripts/start.ts stops the server gracefully, then itself and npm, with the server's status", async () => {
    const { s, tree, start } = await readyThroughNpm();
    process.kill(start, "SIGTERM");
    await untilAllGone(tree);
    expect(s.output()).toContain("[fake server] stopping (SIGTERM)");
    expect(await s.exited).toBe(0);
  });

  it("the server stopping on its own ends npm start, which exits with its status", async () => {
    const { s, tree, server } = await readyThroughNpm();
    process.kill(server, "SIGTERM");
    await untilAllGone(tree);
    expect(await s.exited).toBe(0);
  });

  it("the server does not outlive npm start killed without a chance to pass a signal on (SIGKILL): it stops gracefully", async () => {
    const { s, tree, start } = await readyThroughNpm();
    process.kill(start, "SIGKILL");
    await untilAllGone(tree);
    expect(s.output()).toContain("[fake server] stopping (npm start gone)");
    expect(await s.exited).not.toBe(0);
  });
});
