import { randomUUID } from "node:crypto";
import { database } from "@/lib/db";
import { env } from "@/lib/core/env";
import { within } from "@/lib/core/within";
import { quietLog } from "@/lib/core/quiet-log";
import { TokenCache } from "../transport/auth";
import { Breakers } from "./breaker";
import { dispatchUntilIdle } from "./dispatcher";
import { addSummary, consumeReportsWith, emptySummary, type DispatchSummary, type ReportConsumer } from "./report";
import { GuardedHttpClient } from "../transport/http-client";
import { onWake } from "../wake";
import { coalesced } from "../wake-signal";
import { listenForWakeUps, type WakeListener } from "./listener";
import { offerHandoffs, type HandoffPort } from "../handoff";
import { Slots, type SlotLimits } from "./slots";
import { Rounds } from "./rounds";
import type { WakeReason } from "./pipeline";
import type { Claimed } from "./claim";

// The process's dispatcher: one pooled HTTP client, one lease owner id, and at most one dispatch
// loop running at a time. Woken right after deliveries are queued (wakeDispatcher; callers don't
// wait: in this process directly, and on PostgreSQL in every process through LISTEN/NOTIFY), run
// by the cron route, and by the in-process ticker (lib/process/delivery-role.ts).

interface Runtime {
  client: GuardedHttpClient;
  tokenCache: TokenCache;
  /** Circuit breakers per rule, in this process's memory. */
  breakers: Breakers;
  owner: string;
  /** Its runs, one at a time (rounds.ts). */
  rounds: Rounds<DispatchSummary>;
  /** Set by stopDispatcher: nothing new is claimed. */
  stopping: boolean;
  /** Wakes the running pipeline (WakeReason: "due" when not given). */
  nudge: (why?: WakeReason) => void;
  /** The requests in flight, across runs: a hand-off reserves its slot here before its delivery is written. */
  slots: Slots;
  /** Deliveries handed to this dispatcher, written and leased, waiting for the pipeline to start them. */
  inbox: Claimed[];
}

const key = Symbol.for("leadhooks.dispatcher");
type G = typeof globalThis & { [key]?: Runtime };

function runtime(): Runtime {
  const g = globalThis as G;
  if (!g[key]) {
    const e = env();
    const rt: Runtime = {
      client: new GuardedHttpClient({ policy: { allowedNetworks: e.ALLOWED_PRIVATE_NETWORKS, allowInsecure: e.ALLOW_INSECURE_URLS } }),
      tokenCache: new TokenCache(),
      breakers: new Breakers(),
      owner: `dispatcher-${process.pid}-${randomUUID().slice(0, 8)}`,
      rounds: null!, // set below: its options refer to the runtime
      stopping: false,
      nudge: () => {},
      slots: new Slots(limitsOf(concurrency())),
      inbox: [],
    };
    rt.rounds = roundsOf(rt);
    g[key] = rt;
  }
  return g[key];
}

/** The process's guarded client and token cache, shared with Test Connection. */
export function outbound(): { client: GuardedHttpClient; tokenCache: TokenCache } {
  const rt = runtime();
  return { client: rt.client, tokenCache: rt.tokenCache };
}

/** The process's limits of requests in flight (DELIVERY_CONCURRENCY, DELIVERY_PER_RULE_CONCURRENCY, DELIVERY_PER_HOST_CONCURRENCY). */
export function concurrency() {
  const e = env();
  return { concurrency: e.DELIVERY_CONCURRENCY, perRuleConcurrency: e.DELIVERY_PER_RULE_CONCURRENCY, perHostConcurrency: e.DELIVERY_PER_HOST_CONCURRENCY };
}

const limitsOf = (c: ReturnType<typeof concurrency>): SlotLimits => ({ total: c.concurrency, perRule: c.perRuleConcurrency, perHost: c.perHostConcurrency });

/**
 * Runs the dispatcher until nothing is due and nothing is in flight; concurrent calls share the
 * running loop. `why` says what woke it (WakeReason): "handed", for hand-offs only (its inbox
 * filled), so a run it starts does not claim first; "look", the periodic look, which does not hold
 * hand-offs back. With `waitMs`, the caller waits that long at most (the cron route answers in
 * time): if the run goes on, it answers `{ running: true }` and the run is not cut short. A run
 * has no time budget of its own: one that ended after a set time stopped claiming until its
 * slowest request ended, so an endpoint that answers late (or never) held up every other rule's
 * deliveries for up to its timeout, again and again.
 */
export async function runDispatcher(waitMs?: number, { why = "due" }: { why?: WakeReason } = {}): Promise<DispatchSummary & { running?: true }> {
  const run = startRun(why);
  if (waitMs === undefined) return run;
  const stillRunning = new Error("still running");
  return within(run, waitMs, () => stillRunning).catch((err: unknown) => {
    if (err === stillRunning) return { ...emptySummary(), running: true as const };
    throw err;
  });
}

function startRun(why: WakeReason): Promise<DispatchSummary> {
  return runtime().rounds.request(why);
}

/** The dispatcher's runs: each round is one pipeline, until nothing is due and nothing is in flight. */
function roundsOf(rt: Runtime): Rounds<DispatchSummary> {
  return new Rounds({
    async round(claimFirst) {
      const { prisma, sql } = await database();
      try {
        return await dispatchUntilIdle({
          prisma, sql, client: rt.client, tokenCache: rt.tokenCache, breakers: rt.breakers, owner: rt.owner, leaseMs: leaseMs(), ...concurrency(),
          batchDueAt: wakeForBatchAt, stopping: () => rt.stopping, listen: (wake) => (rt.nudge = wake), slots: rt.slots, inbox: rt.inbox, claimFirst,
        });
      } finally {
        rt.nudge = () => {};
      }
    },
    pending: () => rt.inbox.length > 0,
    stopping: () => rt.stopping,
    poke: (why) => rt.nudge(why),
    beforeRun() {
      // The limits are read again when nothing is in flight (a test changes them between runs).
      const limits = limitsOf(concurrency());
      if (!rt.slots.inFlight && JSON.stringify(limits) !== JSON.stringify(rt.slots.limits)) {
        rt.slots = new Slots(limits).carryOver(rt.slots); // what the last run left waiting still waits
      }
    },
    empty: emptySummary,
    add: addSummary,
    restart: () => startDispatch("dispatcher", "handed"),
  });
}

const leaseMs = () => env().DELIVERY_LEASE_SECONDS * 1000;

/**
 * This process's dispatcher as lead intake hands it new deliveries (lib/delivery/handoff.ts): a
 * slot is reserved while one is free (never once it is stopping), and what is handed is started
 * by the running pipeline, or by a run started for it.
 */
function handoffPortOf(rt: Runtime): HandoffPort {
  return {
    owner: rt.owner,
    get leaseMs() {
      return leaseMs(); // read at each hand-off, as each claim reads it
    },
    reserve(ruleId, host) {
      if (rt.stopping || rt.breakers.room(ruleId, Date.now()) !== Infinity) return false; // a rule its breaker holds back is claimed
      if (rt.slots.behind(ruleId, host) || !rt.slots.fits(ruleId, host)) return false; // what waits goes first
      rt.slots.take(ruleId, host);
      return true;
    },
    release: (ruleId, host) => rt.slots.release(ruleId, host),
    async start(deliveries) {
      if (rt.stopping) {
        // After the commit: a failure here must not fail the lead's request (its lease runs out instead).
        await giveBack(rt, deliveries).catch((err: unknown) => console.error("dispatcher: giving back handed deliveries:", err instanceof Error ? err.message : err));
        return false;
      }
      rt.inbox.push(...deliveries);
      startDispatch("dispatcher", "handed");
      return true;
    },
  };
}

/**
 * Handed deliveries this dispatcher will not send (it is stopping): their slots, and their leases,
 * so that any dispatcher claims them at once instead of when the leases run out.
 */
async function giveBack(rt: Runtime, deliveries: readonly Claimed[]): Promise<void> {
  if (!deliveries.length) return;
  deliveries.forEach((d) => rt.slots.release(d.ruleId, d.host));
  const { sql } = await database();
  await sql.query(`UPDATE "Delivery" SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE id = ANY($1::text[]) AND "leaseOwner" = $2`, [deliveries.map((d) => d.id), rt.owner]);
}

/** The dispatcher's failures, each written once and then at most every 30 s while it repeats. */
const failureLog = quietLog();

/** Starts a dispatch without waiting for it; a failure is logged under `what` (the ticker or cron retries). */
function startDispatch(what: string, why: WakeReason = "due"): void {
  startRun(why).catch((err: unknown) => failureLog(`${what}: ${err instanceof Error ? err.message : String(err)}`));
}

/** Starts a dispatch without waiting for it (a burst of wake-ups starts one). */
const kickDispatcher = coalesced(() => startDispatch("dispatcher"));

// A batch that fills up is sent when its last lead arrives (that delivery's wake-up), but one that
// becomes due by time has nothing to wake it: the pipeline says when the first delivery left
// waiting becomes due, and one timer (the earliest asked for) starts a dispatch then.
let batchTimer: { at: number; timer: NodeJS.Timeout } | null = null;
const BATCH_SLACK_MS = 50;

function wakeForBatchAt(at: number): void {
  if (batchTimer && batchTimer.at <= at) return;
  if (batchTimer) clearTimeout(batchTimer.timer);
  const timer = setTimeout(() => {
    batchTimer = null;
    startDispatch("dispatcher (batch due)", "look");
  }, Math.max(0, at - Date.now()) + BATCH_SLACK_MS);
  timer.unref();
  batchTimer = { at, timer };
}

let listener: WakeListener | null = null;

/**
 * Wires this process's dispatcher: `consumer` takes every recorded group's report (rule health and
 * notifications; the engine does not import them), and, unless `wake` is false (deliveries are
 * left to worker processes), wakeDispatcher() starts a dispatch. With `listenUrl` (PostgreSQL),
 * a notification from any process's wakeDispatcher starts one too.
 */
export function wireDispatcher(consumer: ReportConsumer, { wake = true, listenUrl }: { wake?: boolean; listenUrl?: string | null } = {}): void {
  consumeReportsWith(consumer);
  if (wake) {
    onWake(kickDispatcher);
    offerHandoffs(handoffPortOf(runtime()));
  }
  if (listenUrl && !listener) listener = listenForWakeUps(listenUrl, kickDispatcher);
}

let ticker: NodeJS.Timeout | null = null;

/**
 * The in-process scheduler: every `intervalMs` the dispatcher goes round. `holdProcess` keeps the
 * process alive on the ticker alone (the worker role, which has no server to do that).
 */
export function startTicker(intervalMs = 1000, { holdProcess = false }: { holdProcess?: boolean } = {}): void {
  if (ticker) return;
  ticker = setInterval(() => startDispatch("dispatcher tick", "look"), intervalMs);
  if (!holdProcess) ticker.unref();
}

/**
 * Stops claiming (no tick, no wake-up, no next claim; the listening connection is closed) and
 * waits for what is in flight to be recorded.
 */
export async function stopDispatcher(): Promise<void> {
  if (ticker) clearInterval(ticker);
  ticker = null;
  if (batchTimer) clearTimeout(batchTimer.timer);
  batchTimer = null;
  onWake(() => {});
  offerHandoffs(null);
  await listener?.close();
  listener = null;
  const rt = runtime();
  rt.stopping = true;
  rt.nudge();
  await rt.rounds.running?.catch(() => {}); // its failure was already logged by whoever started it
  // Handed while the last run was ending: not sent here, so claimable at once elsewhere.
  await giveBack(rt, rt.inbox.splice(0)).catch((err: unknown) => console.error("dispatcher: giving back handed deliveries:", err instanceof Error ? err.message : err));
}
