// The benchmark's phases. Each runs in a fresh phase (phase.ts) and returns its figures; a phase
// whose ledger did not hold is void, its figures printed but not judged.
import { hasWorkerRole, startWeb, startWebWithWorkers } from "./app";
import { rawRate, waitUntil } from "./load";
import { arrivalLatencies, lastArrival, runPhase, type CpuSnapshot, type PhaseResult, type PhaseRun, type PhaseSpec } from "./phase";
import { num, percentile, phaseLine, voidLines, type Figure, type PhaseOutcome } from "./report";
import type { RuleSpec } from "./seed";
import { holdRules } from "./seed";
import { statementCounter } from "./statements";

export const FANOUT = 5;

type Peak = { mb: number; phase: string };

export interface BenchContext {
  /** The PostgreSQL server the phases create their databases on. */
  server: string;
  waitMs: number;
  /** Peak RSS of every process the PostgreSQL phases ran, in MB. */
  peaks: { web: Peak[]; workers: Peak[] };
}

const fanout = (prefix: string): RuleSpec[] => Array.from({ length: FANOUT }, (_, i) => ({ path: `/${prefix}-${i + 1}` }));
const paths = (rules: RuleSpec[]) => rules.map((r) => r.path);

/** Prints a phase's line (and the ledger's findings when void) and returns its outcome. */
function finish(outcome: PhaseOutcome, failures: string[] = []): PhaseOutcome {
  console.log(phaseLine(outcome));
  for (const l of failures) console.log(l);
  return outcome;
}

/** Runs a phase's runs and judges their values; void when a run's ledger did not hold. */
async function measured<T>(ctx: BenchContext, phase: string, runs: () => Promise<PhaseResult<T>[]>, judge: (values: T[]) => Figure[]): Promise<PhaseOutcome> {
  let results: PhaseResult<T>[];
  try {
    results = await runs();
  } catch (err) {
    return finish({ phase, figures: [], failure: "error", notes: [err instanceof Error ? err.message : String(err)] });
  }
  const notes: string[] = [];
  for (const r of results) {
    if (r.embedded) notes.push(`peak RSS ${num(r.rss.web)} MB, the embedded database included`);
    else ctx.peaks.web.push({ mb: r.rss.web, phase });
    ctx.peaks.workers.push(...r.rss.workers.map((mb) => ({ mb, phase })));
    if (r.rejected) notes.push(`${r.rejected} posts not accepted (not in the ledger)`);
    for (const l of r.logs) notes.push(`a server process wrote ${l.lines} lines to stderr: ${l.file}`);
  }
  const broken = results.filter((r) => !r.report.holds);
  return finish({ phase, figures: judge(results.map((r) => r.value)), notes, failure: broken.length ? "void" : undefined }, broken.flatMap((r) => voidLines(r.report)));
}

const one = <T>(ctx: BenchContext, phase: string, spec: Omit<PhaseSpec, "label" | "waitMs">, body: (run: PhaseRun) => Promise<T>) => async () => [
  await runPhase({ ...spec, label: phase.replace("-", ""), waitMs: ctx.waitMs }, body),
];

/**
 * Closed-loop load through one process (PostgreSQL or PGlite): events accepted/s and deliveries/s,
 * and the CPU they took. Measured on a warm server, as the latency phase is: `warmup` events are
 * posted the same way first and every one of their deliveries awaited (and checked by the ledger).
 * A process just started runs its first thousands of events far slower (code not yet optimized,
 * pools and plans not yet made: on the 2-core machine 660–740 events/s accepted, against
 * 1,020–1,100/s once warm); that pace is printed beside the figure.
 */
async function pushThrough(run: PhaseRun, rules: RuleSpec[], events: number, warmup: number, waitMs: number) {
  let warm: number | null = null;
  if (warmup > 0) {
    const w0 = performance.now();
    const warmIds = await run.posters[0]!.closedLoop(warmup);
    warm = warmIds.length / ((performance.now() - w0) / 1000);
    await waitUntil(() => run.ledger.outstanding() === 0, waitMs);
  }
  const before = run.cpu();
  const t0 = performance.now();
  const ids = await run.posters[0]!.closedLoop(events);
  const accepted = ids.length / ((performance.now() - t0) / 1000);
  await waitUntil(() => run.ledger.outstanding() === 0, waitMs);
  const delivered = (ids.length * rules.length) / ((lastArrival(run.ledger, ids, paths(rules)) - t0) / 1000);
  return { accepted, delivered, warm, cpu: cpuFigure(before, run.cpu(), ids.length, rules.length) };
}

/** How the server was warmed up before the measured load. */
const warmedBy = (warm: number | null, events: number) =>
  warm === null ? "no warm-up: from a server just started" : `after a warm-up of ${num(events)} events accepted at ${num(warm)}/s`;

/**
 * What accepting one event and sending its deliveries cost in CPU, side by side: the app's
 * processes, PostgreSQL, and this process (the load and the receiver, which a real deployment does
 * not run); with how busy the machine's cores were. On a machine whose cores are all busy the
 * rates above are set by these sums, not by waiting.
 */
function cpuFigure(before: CpuSnapshot, after: CpuSnapshot, events: number, fanout: number): Figure {
  const ms = (a: number, b: number) => `${num(((b - a) * 1000) / Math.max(1, events), 2)} ms`;
  const { cores } = after.machine;
  const busy = (100 * (after.machine.busy - before.machine.busy)) / Math.max(1e-9, after.machine.total - before.machine.total);
  const server = before.server === null || after.server === null ? "" : `, PostgreSQL ${ms(before.server, after.server)}`;
  return {
    name: `CPU per event accepted and its ${fanout} deliveries`,
    value: `app ${ms(before.app, after.app)}${server}, load and receiver ${ms(before.bench, after.bench)} (the machine's ${cores} cores ${num(busy)}% busy)`,
    target: "—",
    met: null,
  };
}

export function throughput(ctx: BenchContext, events: number, warmup: number, workers: number): Promise<PhaseOutcome> {
  const rules = fanout("tp");
  const start = workers ? (name: string, url: string) => startWebWithWorkers(name, url, workers) : undefined;
  return measured(
    ctx,
    "throughput",
    one(ctx, "throughput", { server: ctx.server, orgs: [rules], start }, async (run) => ({ ...(await pushThrough(run, rules, events, warmup, ctx.waitMs)), raw: await rawRate(run.receiverUrl, 5) })),
    ([v]) => [
      { name: "events accepted", value: `${num(v!.accepted)}/s (${warmedBy(v!.warm, warmup)})`, target: "≥ 1,000/s", met: v!.accepted >= 1000 },
      { name: "deliveries completed", value: `${num(v!.delivered)}/s = ${num(v!.delivered / v!.raw, 3)}× raw undici ${num(v!.raw)}/s`, target: "≥ 0.3× raw", met: v!.delivered >= 0.3 * v!.raw },
      v!.cpu,
    ],
  );
}

/**
 * Latency at a fixed offered rate, measured on a warm server: `warmup` seconds at the same rate
 * first (a process just started runs its first second several times slower: code not yet
 * optimized, connections and statement plans not yet made), every one of those deliveries
 * awaited, then `seconds` measured. The warm-up's own p99 is printed beside the figure.
 */
export function latency(ctx: BenchContext, rate: number, seconds: number, warmup: number): Promise<PhaseOutcome> {
  const rules = fanout("lat");
  return measured(
    ctx,
    "latency",
    one(ctx, "latency", { server: ctx.server, orgs: [rules] }, async (run) => {
      const cold = warmup > 0 ? await run.posters[0]!.openLoop(rate, warmup) : [];
      await waitUntil(() => run.ledger.outstanding() === 0, ctx.waitMs);
      const before = run.cpu();
      const ids = await run.posters[0]!.openLoop(rate, seconds);
      await waitUntil(() => run.ledger.outstanding() === 0, ctx.waitMs);
      return {
        warm: arrivalLatencies(run.ledger, ids, paths(rules)),
        cold: arrivalLatencies(run.ledger, cold, paths(rules)),
        cpu: cpuFigure(before, run.cpu(), ids.length, rules.length),
      };
    }),
    ([l]) => [
      {
        name: `accepted → first attempt at ${rate} events/s`,
        value: `p50 ${num(percentile(l!.warm, 50))} ms, p99 ${num(percentile(l!.warm, 99))} ms ${warmup > 0 ? `(after ${warmup} s of warm-up, whose p99 was ${num(percentile(l!.cold, 99))} ms)` : "(no warm-up: from a server just started)"}`,
        target: "p99 < 100 ms",
        met: percentile(l!.warm, 99) < 100,
      },
      l!.cpu,
    ],
  );
}

export function isolation(ctx: BenchContext, events: number): Promise<PhaseOutcome> {
  const hung = { path: "/hung", timeoutMs: 10_000 };
  const healthy = { path: "/healthy" };
  return measured(
    ctx,
    "isolation",
    one(ctx, "isolation", { server: ctx.server, orgs: [[hung, healthy]], answers: { [hung.path]: "never" }, unanswered: [hung.path] }, async (run) => {
      const ids = await run.posters[0]!.openLoop(10, events / 10);
      await waitUntil(() => run.ledger.outstanding() === 0, ctx.waitMs);
      return { latencies: arrivalLatencies(run.ledger, ids, [healthy.path]), hungReached: run.ledger.reached(hung.path), events: ids.length };
    }),
    ([v]) => [
      {
        name: "another rule's p95 while one endpoint never answers",
        value: `${num(percentile(v!.latencies, 95))} ms (the silent endpoint got ${v!.hungReached} of ${v!.events} events meanwhile)`,
        target: "< 1,000 ms",
        met: percentile(v!.latencies, 95) < 1000,
      },
    ],
  );
}

/**
 * Deliveries/s with `workers` worker processes, against receivers that answer after 100 ms. The
 * workers drain a backlog: the rules are held (paused, as the circuit breaker pauses them) while
 * the events are accepted, then released, so the figure is the workers' own pace and not shared
 * with the web process accepting at full speed on the same cores.
 */
function workerRate(ctx: BenchContext, workers: number, events: number) {
  const rules = fanout(`so${workers}`);
  const answers = Object.fromEntries(rules.map((r) => [r.path, { delayMs: 100 }]));
  return runPhase({ label: `scaleout${workers}`, server: ctx.server, waitMs: ctx.waitMs, orgs: [rules], answers, start: (name, url) => startWebWithWorkers(name, url, workers) }, async (run) => {
    const held = await holdRules(run.databaseUrl, paths(rules));
    const ids = await run.posters[0]!.closedLoop(events);
    await held.release();
    await waitUntil(() => run.ledger.outstanding() === 0, ctx.waitMs);
    const firsts = ids.flatMap((id) => paths(rules).map((r) => run.ledger.firstArrival(id, r) ?? Infinity));
    return (firsts.length - 1) / ((lastArrival(run.ledger, ids, paths(rules)) - Math.min(...firsts)) / 1000);
  });
}

export function scaleOut(ctx: BenchContext, events: number): Promise<PhaseOutcome> {
  const figure = { name: "deliveries/s, 3 workers vs 1 (receivers answer after 100 ms)", target: "≥ 2.5×" };
  if (!hasWorkerRole()) return Promise.resolve(finish({ phase: "scale-out", figures: [{ ...figure, value: "not run: no worker role (npm run worker) yet", met: null }] }));
  return measured(
    ctx,
    "scale-out",
    async () => [await workerRate(ctx, 1, events), await workerRate(ctx, 3, events)],
    ([one, three]) => [{ ...figure, value: `${num(three! / one!, 2)}× (${num(one!)}/s → ${num(three!)}/s)`, met: three! / one! >= 2.5 }],
  );
}

export function statements(ctx: BenchContext, events: number): Promise<PhaseOutcome> {
  const rules = fanout("st");
  // No ticker: between the loads nothing runs but what the events themselves cause.
  const start = async (name: string, url: string) => ({ web: await startWeb(name, url, { SCHEDULER: "off" }), workers: [] });
  return measured(
    ctx,
    "statements",
    one(ctx, "statements", { server: ctx.server, orgs: [[], rules], start }, async (run) => {
      const counter = await statementCounter(ctx.server, run.databaseName);
      try {
        // Few clients: the counts, not the pace, are measured, and no post should time out.
        const before = await counter.settled();
        const bare = (await run.posters[0]!.closedLoop(events, 4)).length;
        const afterBare = await counter.settled();
        const fanned = (await run.posters[1]!.closedLoop(events, 4)).length;
        await waitUntil(() => run.ledger.outstanding() === 0, ctx.waitMs);
        const afterFanned = await counter.settled();
        return { unit: counter.unit, perEvent: (afterBare - before) / bare, perDelivery: (afterFanned - afterBare) / (fanned * FANOUT) };
      } finally {
        await counter.close();
      }
    }),
    ([v]) => [
      { name: `${v!.unit}/event (accepting one that matches no rule)`, value: num(v!.perEvent, 1), target: "—", met: null },
      { name: `${v!.unit}/delivery (accepting and delivering events into 5 rules, per delivery)`, value: num(v!.perDelivery, 1), target: "—", met: null },
    ],
  );
}

export function pglite(ctx: BenchContext, events: number, warmup: number): Promise<PhaseOutcome> {
  const rules = fanout("pgl");
  return measured(
    ctx,
    "pglite",
    one(ctx, "pglite", { server: null, orgs: [rules] }, (run) => pushThrough(run, rules, events, warmup, ctx.waitMs)),
    ([v]) => [{ name: "deliveries completed, one process on PGlite", value: `${num(v!.delivered)}/s (events accepted ${num(v!.accepted)}/s, ${warmedBy(v!.warm, warmup)})`, target: "≥ 1,000/s", met: v!.delivered >= 1000 }, v!.cpu],
  );
}

/** The peak RSS line, from every process the PostgreSQL phases ran. */
export function memory(ctx: BenchContext): PhaseOutcome {
  const top = (xs: Peak[]) => xs.reduce<Peak | null>((a, b) => (a && a.mb >= b.mb ? a : b), null);
  const web = top(ctx.peaks.web);
  const worker = top(ctx.peaks.workers);
  return finish({
    phase: "peak RSS",
    figures: [
      { name: "web", value: web ? `${num(web.mb)} MB (${web.phase})` : "—", target: "< 300 MB", met: web ? web.mb < 300 : null },
      { name: "each worker", value: worker ? `${num(worker.mb)} MB (${worker.phase})` : "no workers yet", target: "< 200 MB", met: worker ? worker.mb < 200 : null },
    ],
  });
}
