import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Runs `npm start` or `npm run worker` as package.json does (bundled by scripts/run.mjs, one
// process) until it exits, for tests of what stops start-up. `npm start` runs in a scratch working
// directory whose `next` is a stand-in that fails at once: a start that wrongly gets as far as
// building says so in its output instead of building the app for minutes.

const repo = path.resolve(".");
const runner = path.join(repo, "scripts", "run.mjs");
const FAKE_NEXT = `console.log("[fake next] " + process.argv.slice(2).join(" ")); process.exit(1);\n`;

export interface Ended {
  /** The exit status; null when the process was still running after the limit (and was killed). */
  status: number | null;
  /** stdout and stderr, as printed. */
  output: string;
  elapsedMs: number;
}

/**
 * Runs `script` with `env` until it exits. It is killed (status null) once `limitMs` passed, or
 * once its output matches `stopWhen` (a process that started when it should have refused).
 */
export async function runToExit(script: "start" | "worker", env: Record<string, string>, limitMs: number, stopWhen?: RegExp): Promise<Ended> {
  const dir = mkdtempSync(path.join(tmpdir(), `leadhooks-${script}-`));
  try {
    if (script === "start") {
      mkdirSync(path.join(dir, "node_modules", "next", "dist", "bin"), { recursive: true });
      writeFileSync(path.join(dir, "node_modules", "next", "dist", "bin", "next"), FAKE_NEXT);
      symlinkSync(path.join(repo, "prisma"), path.join(dir, "prisma")); // migrations are read from the working directory
    }
    const started = Date.now();
    const child = spawn(process.execPath, [runner, path.join(repo, "scripts", `${script}.ts`)], {
      cwd: script === "start" ? dir : repo,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NEXTAUTH_SECRET: "start-script-test-nextauth-secret",
        NEXTAUTH_URL: "http://localhost:3999",
        CRON_SECRET: "start-script-test-cron-secret",
        SCHEDULER: "off",
        PORT: "3999",
        ...env,
        // NODE_ENV is left unset on purpose (the scripts default it); hence the cast.
      } as Record<string, string | undefined> as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const status = await new Promise<number | null>((resolve) => {
      const kill = () => {
        clearTimeout(limit);
        child.kill("SIGKILL");
        resolve(null);
      };
      const limit = setTimeout(kill, limitMs);
      const read = (d: Buffer) => {
        output += d.toString();
        if (stopWhen?.test(output)) kill();
      };
      child.stdout!.on("data", read);
      child.stderr!.on("data", read);
      child.on("exit", (code) => {
        clearTimeout(limit);
        resolve(code);
      });
    });
    return { status, output, elapsedMs: Date.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
