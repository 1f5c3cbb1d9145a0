// CPU time, read from /proc (Linux): what each side of a phase spent per event, so a figure can be
// read apart from the machine's speed and load. The app's processes, the PostgreSQL server (found
// from one of its backends, when it runs on this machine) and this process (the load and the
// receiver) are counted separately, and the machine's cores as a whole.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import pg from "pg";

const TICKS = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields from the third (state) on
  } catch {
    return null; // gone
  }
}

/** A process's CPU seconds so far; with `reaped`, its children's that it has waited for too. */
export function processCpu(pid: number, reaped = false): number {
  const f = statFields(pid);
  if (!f) return 0;
  return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) / TICKS;
}

/** The pids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === pid) out.push(Number(name));
  }
  return out;
}

/** A process tree's CPU seconds so far: the root with the children it reaped, and every live descendant. */
export function treeCpu(pid: number): number {
  return processCpu(pid, true) + childrenOf(pid).reduce((s, c) => s + treeCpu(c), 0);
}

/** The machine's CPU so far, in seconds summed over its cores (all of them, whatever this process may run on): busy, and in all. */
export function machineCpu(): { busy: number; total: number; cores: number } {
  const lines = readFileSync("/proc/stat", "utf8").split("\n");
  const [, ...ticks] = lines[0]!.trim().split(/\s+/).map(Number);
  const total = ticks.slice(0, 8).reduce((s, t) => s + t, 0); // guest time is counted in user already
  const idle = ticks[3]! + ticks[4]!;
  return { busy: (total - idle) / TICKS, total: total / TICKS, cores: lines.filter((l) => /^cpu\d+ /.test(l)).length };
}

/**
 * The PostgreSQL server's postmaster, when the server runs on this machine: the parent of the
 * backend serving a connection to `url`. Null when that process is not a postgres one here.
 */
export async function localPostmaster(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const f = statFields(rows[0]!.pid);
    const parent = f ? Number(f[1]) : NaN;
    return Number.isFinite(parent) && /postgres/.test(readFileSync(`/proc/${parent}/cmdline`, "utf8")) ? parent : null;
  } catch {
    return null;
  } finally {
    await client.end();
  }
}
