// One benchmark phase's set-up and ledger check: a fresh database, a receiver, the app's processes,
// a warm-up, the phase's own load, then the wait for every owed delivery and the ledger's verdict.
import { readFileSync } from "node:fs";
import { startWeb, type AppProcess } from "./app";
import { localPostmaster, machineCpu, treeCpu } from "./cpu";
import { Ledger, type LedgerReport } from "./ledger";
import { LeadPoster, sleep, waitUntil } from "./load";
import { startReceiver, type Answer } from "./receiver";
import { freshDatabase, seed, type RuleSpec } from "./seed";

export interface PhaseSpec {
  label: string;
  /** The PostgreSQL server to create the phase's database on; null: PGlite. */
  server: string | null;
  /** One list of rules per organization. */
  orgs: RuleSpec[][];
  answers?: Record<string, Answer>;
  /** Rules whose endpoint never answers (see ledger.ts). */
  unanswered?: string[];
  /** Starts the app's processes; default: one web process with its in-process dispatcher. */
  start?: (name: string, databaseUrl: string) => Promise<{ web: AppProcess & { url: string }; workers: AppProcess[] }>;
  /** How long to wait, at the end, for every owed delivery. */
  waitMs: number;
}

/** CPU seconds used so far: by the app's processes, the PostgreSQL server (null: not on this machine, or PGlite), this process (load and receiver), and the machine. */
export interface CpuSnapshot {
  app: number;
  server: number | null;
  bench: number;
  machine: { busy: number; total: number; cores: number };
}

export interface PhaseRun {
  /** CPU used so far (take one before and one after what is measured). */
  cpu(): CpuSnapshot;
  ledger: Ledger;
  /** One per organization of the spec, in order. */
  posters: LeadPoster[];
  databaseName: string;
  databaseUrl: string;
  receiverUrl: string;
}

export interface PhaseResult<T> {
  value: T;
  report: LedgerReport;
  rss: { web: number; workers: number[] };
  /** On PGlite: the web process holds the database too. */
  embedded: boolean;
  /** The processes' stderr files that are not empty, with their line counts. */
  logs: { file: string; lines: number }[];
  rejected: number;
}

const WARMUP_EVENTS = 50;
const WARMUP_RULE = "/warmup";

/** Runs `body` inside a fresh phase; the ledger covers the warm-up and everything `body` posts. */
export async function runPhase<T>(spec: PhaseSpec, body: (run: PhaseRun) => Promise<T>): Promise<PhaseResult<T>> {
  const ledger = new Ledger(spec.unanswered);
  const receiver = await startReceiver(ledger, spec.answers);
  try {
    const db = await freshDatabase(spec.server, spec.label);
    // A warm-up organization of its own (compiles routes, fills pools), so the phase's rules start clean.
    const [warmKey, ...keys] = await seed(db.url, receiver.url, [[{ path: WARMUP_RULE }], ...spec.orgs]);
    const { web, workers } = await (spec.start ?? (async (name: string, url: string) => ({ web: await startWeb(name, url), workers: [] })))(spec.label, db.url);
    const posters = keys.map((key, i) => new LeadPoster(web.url, key, ledger, spec.orgs[i]!.map((r) => r.path)));
    const warm = new LeadPoster(web.url, warmKey!, ledger, [WARMUP_RULE]);
    const processes = [web, ...workers];
    try {
      await warm.closedLoop(WARMUP_EVENTS, 8);
      await waitUntil(() => ledger.outstanding() === 0, spec.waitMs);
      const postmaster = spec.server ? await localPostmaster(db.url) : null;
      const cpu = (): CpuSnapshot => {
        const own = process.cpuUsage();
        return {
          app: processes.reduce((s, p) => s + p.cpuSeconds(), 0),
          server: postmaster === null ? null : treeCpu(postmaster),
          bench: (own.user + own.system) / 1e6,
          machine: machineCpu(),
        };
      };
      const value = await body({ cpu, ledger, posters, databaseName: db.name, databaseUrl: db.url, receiverUrl: receiver.url });
      await waitUntil(() => ledger.outstanding() === 0, spec.waitMs);
      await sleep(1000); // a late second copy of a delivery would arrive now
      const rss = { web: web.peakRssMb(), workers: workers.map((w) => w.peakRssMb()) };
      await Promise.all(processes.map((p) => p.stop()));
      const logs = processes.map((p) => ({ file: p.logFile, lines: readFileSync(p.logFile, "utf8").split("\n").filter(Boolean).length })).filter((l) => l.lines > 0);
      return { value, report: ledger.report(), rss, embedded: spec.server === null, logs, rejected: [warm, ...posters].reduce((n, p) => n + p.rejected, 0) };
    } finally {
      await Promise.all([warm, ...posters].map((p) => p.close()));
      await Promise.all(processes.map((p) => p.stop()));
    }
  } finally {
    await receiver.close();
  }
}

/** Latencies from each event's acceptance to the first request at `rule`, in ms. */
export function arrivalLatencies(ledger: Ledger, leadIds: string[], rules: string[]): number[] {
  const out: number[] = [];
  for (const id of leadIds) {
    const accepted = ledger.acceptedAt(id)!;
    for (const rule of rules) {
      const at = ledger.firstArrival(id, rule);
      if (at !== undefined) out.push(Math.max(0, at - accepted));
    }
  }
  return out;
}

/** The last first-arrival among these events' deliveries (performance.now() time). */
export function lastArrival(ledger: Ledger, leadIds: string[], rules: string[]): number {
  let last = 0;
  for (const id of leadIds) for (const rule of rules) last = Math.max(last, ledger.firstArrival(id, rule) ?? 0);
  return last;
}
