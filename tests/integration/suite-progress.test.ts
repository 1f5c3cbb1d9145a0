import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { partialResult } from "@/scripts/test-progress.mjs";

// Issue 9, item 24: a suite that `npm test` has to stop at its time limit still reports what
// passed and what failed. Each runner (vitest, Playwright) runs a fixture of one passing, one
// failing and one hanging test with the progress reporter; the runner is killed once the two
// finished tests are written (a condition, no fixed wait), and the counts are read back.

const repo = path.resolve(".");
// Under node_modules so the fixtures' imports (@playwright/test) resolve from the repository.
const base = path.join(repo, "node_modules", ".cache", "leadhooks-progress-fixtures");
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fixtureDir(name: string): string {
  const dir = path.join(base, `${name}-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  dirs.push(dir);
  return dir;
}

/**
 * The environment for a fixture's runner: this one's, without what this vitest run sets for its own
 * workers (a nested runner that read them was seen, 1 run in 4 to 5, to start and write nothing).
 */
function fixtureEnv(progress: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_PROGRESS_FILE: progress, CI: "1" };
  for (const name of Object.keys(env)) if (/^(VITEST|TINYPOOL)/.test(name)) delete env[name];
  return env;
}

/** A runner that has written nothing at all by then did not start: it is started again, up to START_TRIES times. */
const SILENT_START_MS = 30_000;
const START_TRIES = 3;

/** Runs `args` until the progress file has `lines` lines, then kills it as scripts/test.mjs does at the limit. */
async function runUntilProgress(args: string[], cwd: string, progress: string, lines: number): Promise<void> {
  for (let tries = 1; ; tries++) {
    const started = await runOnce(args, cwd, progress, lines);
    if (started || tries === START_TRIES) return;
  }
}

const progressLines = (progress: string) => (existsSync(progress) ? readFileSync(progress, "utf8").split("\n").filter(Boolean).length : 0);

/** One run of the fixture's runner; false when it wrote nothing within SILENT_START_MS (it was killed). */
function runOnce(args: string[], cwd: string, progress: string, lines: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env: fixtureEnv(progress), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let silent = false;
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setInterval(() => {
      if (progressLines(progress) >= lines) {
        clearInterval(timer);
        child.kill("SIGKILL");
      }
    }, 100);
    const startWatch = setTimeout(() => {
      if (out || progressLines(progress)) return;
      silent = true;
      child.kill("SIGKILL");
    }, SILENT_START_MS);
    child.on("exit", () => {
      clearInterval(timer);
      clearTimeout(startWatch);
      const written = progressLines(progress);
      if (written >= lines) resolve(true);
      else if (silent && !written) resolve(false);
      else reject(new Error(`the runner ended with ${written} progress lines:\n${out}`));
    });
  });
}

describe("a suite stopped at its time limit", () => {
  it("vitest: the tests that finished still count, and the stop is one more failure", async () => {
    const dir = fixtureDir("vitest");
    writeFileSync(
      path.join(dir, "fixture.test.mjs"),
      `test("passes", () => {});\ntest("fails", () => { throw new Error("no"); });\ntest("hangs", () => new Promise(() => {}), 3_600_000);\n`,
    );
    writeFileSync(path.join(dir, "vitest.config.mjs"), "export default { test: { globals: true, include: ['fixture.test.mjs'] } };\n");
    const progress = path.join(dir, "progress.jsonl");
    await runUntilProgress(
      [path.join(repo, "node_modules", "vitest", "vitest.mjs"), "run", "--root", dir, "--config", path.join(dir, "vitest.config.mjs"), `--reporter=${path.join(repo, "scripts", "reporters", "vitest-progress.ts")}`],
      dir,
      progress,
      2,
    );
    const result = partialResult("fixture", progress, { code: 1, timedOut: true }, 15 * 60_000);
    expect(result).toEqual({ passed: 1, failed: 2, skipped: 0, note: "stopped after 15 minutes; partial results of the tests that finished" });
  });

  it("Playwright: the tests that finished still count, and the stop is one more failure", async () => {
    const dir = fixtureDir("playwright");
    // outputDir inside the fixture: Playwright's default is test-results beside the nearest
    // package.json (the repository's), which it empties at start, under a running e2e suite.
    writeFileSync(
      path.join(dir, "fixture.spec.mjs"), // .mjs: Playwright does not transpile TypeScript under node_modules
      `import { test } from "@playwright/test";\ntest("passes", () => {});\ntest("fails", () => { throw new Error("no"); });\ntest("hangs", async () => { test.setTimeout(0); await new Promise(() => {}); });\n`,
    );
    writeFileSync(path.join(dir, "playwright.config.mjs"), `export default { testDir: ".", testMatch: "fixture.spec.mjs", outputDir: "./test-results", workers: 1, fullyParallel: false };\n`);
    const progress = path.join(dir, "progress.jsonl");
    await runUntilProgress(
      [path.join(repo, "node_modules", "@playwright", "test", "cli.js"), "test", "--config", path.join(dir, "playwright.config.mjs"), `--reporter=${path.join(repo, "scripts", "reporters", "playwright-progress.ts")}`],
      dir,
      progress,
      2,
    );
    const result = partialResult("e2e", progress, { code: 1, timedOut: true }, 15 * 60_000);
    expect(result).toEqual({ passed: 1, failed: 2, skipped: 0, note: "stopped after 15 minutes; partial results of the tests that finished" });
  });
});
