// A throwaway PostgreSQL cluster for tests and benchmarks: a temp dir, a free port, stopped and
// removed by stop(). initdb refuses to run as root, so as root the cluster belongs to the
// `postgres` user (Debian's postgresql package creates it).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function pgBinDir() {
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (onPath && existsSync(path.join(path.dirname(onPath), "pg_ctl"))) return path.dirname(onPath);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => existsSync(path.join(debian, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], "bin");
  }
  throw new Error("PostgreSQL server binaries (initdb, pg_ctl) not found: install them (apt-get install -y postgresql)");
}

function asPgOwner(args, opts = {}) {
  const isRoot = process.getuid?.() === 0;
  const quoted = args.map((a) => `'${String(a).replaceAll("'", "'\\''")}'`).join(" ");
  const [cmd, argv] = isRoot ? ["su", ["postgres", "-s", "/bin/sh", "-c", quoted]] : ["sh", ["-c", quoted]];
  return spawnSync(cmd, argv, { encoding: "utf8", cwd: tmpdir(), ...opts });
}

/**
 * Starts a cluster tuned for throwaway use (no fsync). Returns its URL and a synchronous stop()
 * that is safe to call from exit and signal handlers.
 */
export async function startPostgres({ maxConnections = 200 } = {}) {
  const bin = pgBinDir();
  const dir = mkdtempSync(path.join(tmpdir(), "leadhooks-pg-"));
  const dataDir = path.join(dir, "data");
  const log = path.join(dir, "postgres.log");
  const port = await freePort();
  if (process.getuid?.() === 0) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    if (ids.status !== 0) throw new Error("running as root needs a `postgres` user for initdb (apt-get install -y postgresql creates it)");
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, Number(ids.stdout.trim()), gid);
  }
  let started = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (started) asPgOwner([path.join(bin, "pg_ctl"), "-D", dataDir, "-m", "immediate", "-w", "stop"], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const init = asPgOwner([path.join(bin, "initdb"), "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${maxConnections} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    started = true;
    const ctl = asPgOwner([path.join(bin, "pg_ctl"), "-D", dataDir, "-o", options, "-l", log, "-w", "-t", "60", "start"]);
    if (ctl.status !== 0) {
      const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-20).join("\n") : "";
      throw new Error(`pg_ctl start failed:\n${ctl.stdout}${ctl.stderr}\n${tail}`);
    }
  } catch (err) {
    stop();
    throw err;
  }
  /** Stops the server but keeps its data (a database restart or outage in tests); `mode` as pg_ctl's -m. */
  const pause = (mode = "fast") => {
    const ctl = asPgOwner([path.join(bin, "pg_ctl"), "-D", dataDir, "-m", mode, "-w", "-t", "60", "stop"]);
    if (ctl.status !== 0) throw new Error(`pg_ctl stop failed:\n${ctl.stdout}${ctl.stderr}`);
  };
  /** Starts a paused server again on the same port, with the same data. */
  const resume = () => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=${maxConnections} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    const ctl = asPgOwner([path.join(bin, "pg_ctl"), "-D", dataDir, "-o", options, "-l", log, "-w", "-t", "60", "start"]);
    if (ctl.status !== 0) throw new Error(`pg_ctl start failed:\n${ctl.stdout}${ctl.stderr}`);
  };
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, pause, resume };
}

/**
 * Creates an empty database named `<prefix>_<random>` on the server at `serverUrl` and returns its
 * URL. Tests and benchmarks each get their own, so they never see each other's rows.
 */
export async function createScratchDatabase(serverUrl, prefix) {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}
