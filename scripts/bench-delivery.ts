// `npm run bench:delivery`: the delivery engine's benchmark. Each phase runs the built app on a
// fresh database, posts lead events through the REST API into rules pointing at a local receiver,
// and keeps a ledger (scripts/bench/ledger.ts): a phase in which an accepted event's delivery is
// missing, or arrives twice, is VOID. Each phase prints one line with its figures and targets; a
// summary table follows. Exit status: 0 when the ledger held in every phase (targets not met are
// reported, not failures), 1 when a phase was void or could not run.
//
// Env:
//   BENCH_POSTGRES_URL      a PostgreSQL server to create the phases' databases on (else a
//                           throwaway cluster is started, with pg_stat_statements preloaded)
//   BENCH_EVENTS            throughput phase: events posted by 32 clients (default 2000)
//   BENCH_THROUGHPUT_WARMUP_EVENTS  throughput phase: events posted the same way first, every one
//                           delivered, not measured (default BENCH_EVENTS; 0: measure a server just started)
//   BENCH_RATE              latency phase: events offered per second (default 200)
//   BENCH_SECONDS           latency phase: seconds of load measured (default 10)
//   BENCH_WARMUP_SECONDS    latency phase: seconds of load at the same rate before, not measured (default 2)
//   BENCH_ISOLATION_EVENTS  isolation phase: events offered at 10/s (default 50)
//   BENCH_SCALE_EVENTS      scale-out phase: events per run (default 1000)
//   BENCH_STATEMENT_EVENTS  statements phase: events without, then with, 5 matching rules (default 200)
//   BENCH_PGLITE_EVENTS     PGlite phase: events posted by 32 clients (default 500)
//   BENCH_PGLITE_WARMUP_EVENTS  PGlite phase: as BENCH_THROUGHPUT_WARMUP_EVENTS (default BENCH_PGLITE_EVENTS)
//   BENCH_WAIT_SECONDS      how long a phase waits at its end for every owed delivery (default 180)
//   BENCH_PROFILE_DIR       write each web process's V8 CPU profile (.cpuprofile) to this directory
//   BENCH_PHASES            the phases to run, comma-separated (default all:
//                           throughput,latency,isolation,scale-out,statements,pglite)
import { loadavg } from "node:os";
import { startPostgres } from "./pg-cluster.mjs";
import { atExit, buildIfMissing } from "./bench/app";
import { FANOUT, isolation, latency, memory, pglite, scaleOut, statements, throughput, type BenchContext } from "./bench/phases";
import { summaryTable, type PhaseOutcome } from "./bench/report";
import { preloadStatementStats } from "./bench/statements";

const knob = (name: string, fallback: number) => Number(process.env[name] || fallback);

const PHASES: Record<string, (ctx: BenchContext) => Promise<PhaseOutcome>> = {
  throughput: (ctx) => throughput(ctx, knob("BENCH_EVENTS", 2000), knob("BENCH_THROUGHPUT_WARMUP_EVENTS", knob("BENCH_EVENTS", 2000)), knob("BENCH_THROUGHPUT_WORKERS", 0)),
  latency: (ctx) => latency(ctx, knob("BENCH_RATE", 200), knob("BENCH_SECONDS", 10), knob("BENCH_WARMUP_SECONDS", 2)),
  isolation: (ctx) => isolation(ctx, knob("BENCH_ISOLATION_EVENTS", 50)),
  "scale-out": (ctx) => scaleOut(ctx, knob("BENCH_SCALE_EVENTS", 1000)),
  statements: (ctx) => statements(ctx, knob("BENCH_STATEMENT_EVENTS", 200)),
  pglite: (ctx) => pglite(ctx, knob("BENCH_PGLITE_EVENTS", 500), knob("BENCH_PGLITE_WARMUP_EVENTS", knob("BENCH_PGLITE_EVENTS", 500))),
};

async function main(): Promise<number> {
  const chosen = (process.env.BENCH_PHASES || Object.keys(PHASES).join(",")).split(",").map((p) => p.trim());
  const unknown = chosen.filter((p) => !PHASES[p]);
  if (unknown.length) throw new Error(`BENCH_PHASES: unknown phase ${unknown.join(", ")} (known: ${Object.keys(PHASES).join(", ")})`);
  buildIfMissing();
  let server = process.env.BENCH_POSTGRES_URL ?? "";
  if (!server) {
    const cluster = await startPostgres({ maxConnections: 200 });
    atExit(cluster.stop);
    await preloadStatementStats(cluster);
    server = cluster.url;
  }
  const ctx: BenchContext = { server, waitMs: knob("BENCH_WAIT_SECONDS", 180) * 1000, peaks: { web: [], workers: [] } };
  console.log(`Leadhooks delivery benchmark: ${FANOUT} matching rules per event unless said; load average at start ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
  const outcomes: PhaseOutcome[] = [];
  for (const p of chosen) outcomes.push(await PHASES[p]!(ctx));
  outcomes.push(memory(ctx));
  console.log(`\n${summaryTable(outcomes)}\n\nload average at end ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  const failed = outcomes.filter((o) => o.failure);
  if (failed.length) console.log(`\n${failed.map((o) => `${o.phase}: ${o.failure === "void" ? "VOID (the ledger did not hold)" : "could not run"}`).join("\n")}`);
  else console.log("\nThe ledger held in every phase: every accepted event reached each of its answering rules exactly once.");
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`bench:delivery failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
