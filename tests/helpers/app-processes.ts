import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { webNodeFlags } from "@/scripts/web-heap";

// The app's own processes, started as its scripts start them, for tests that run them beside the
// test process: the web server and the CLI.

export interface WebProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
  /** Whether it has exited. */
  gone: () => boolean;
}

/**
 * The web server as `npm start` starts it (scripts/serve.ts on the app's build, one process; see
 * tests/helpers/build.ts) on database `url`, listening on 127.0.0.1:`port`, with the test
 * process's APP_SECRET_KEY unless `env` says otherwise. `cleanup` receives the kill that ends it
 * after the file.
 */
export function spawnWebProcess(url: string, port: number, cleanup: (kill: () => void) => void, env: Record<string, string> = {}): WebProcess {
  const child = spawn(process.execPath, [...webNodeFlags(url, undefined), "scripts/run.mjs", "scripts/serve.ts"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: url,
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
      APP_SECRET_KEY: process.env.APP_SECRET_KEY, // the secrets the test wrote are encrypted with it
      NEXTAUTH_SECRET: "web-process-test-nextauth-secret",
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      CRON_SECRET: "web-process-test-cron-secret",
      ...env,
    } as Record<string, string | undefined> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanup(() => void child.kill("SIGKILL"));
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  let gone = false;
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => ((gone = true), resolve(code))));
  return { child, pid: child.pid!, output: () => out, exited, gone: () => gone };
}

/** Runs the CLI as `npm run cli` does (tsx), with only `env` and what a shell has. */
export function cli(args: string[], env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const child = spawn(path.resolve("node_modules/.bin/tsx"), ["scripts/cli.ts", ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NEXTAUTH_SECRET: "cli-test-nextauth-secret", CRON_SECRET: "cli-test-cron-secret", ...env } as Record<string, string | undefined> as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, output })));
}
