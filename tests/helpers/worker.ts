import { spawn, type ChildProcess } from "node:child_process";

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts `npm run worker` on `databaseUrl` as that script runs it: one Node process running the
 * bundled worker (scripts/run.mjs), so SIGTERM reaches our handler directly. `cleanup` receives the kill that ends it after the file.
 */
export function startWorker(databaseUrl: string, cleanup: (kill: () => void) => void, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ["scripts/run.mjs", "scripts/worker.ts"], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      APP_SECRET_KEY: process.env.APP_SECRET_KEY, // the signing keys the test created are encrypted with it
      NEXTAUTH_SECRET: "worker-test-nextauth-secret",
      NEXTAUTH_URL: "http://localhost:3999",
      CRON_SECRET: "worker-test-cron-secret",
      ALLOWED_PRIVATE_NETWORKS: "127.0.0.0/8",
      ALLOW_INSECURE_URLS: "true",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanup(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => out, exited };
}
