import type { PrismaClient } from "@/lib/generated/prisma/client";
import { planKeeper } from "@/lib/db/plans";
import { quietLog } from "@/lib/core/quiet-log";
import type { Decision } from "../policy/outcome";
import { batchClock, batchSender, claimBatches } from "./batches";
import { Breakers, endpointFailed } from "./breaker";
import { claimOrLockedOut, extendLeases, type Claimed } from "./claim";
import { withoutDuplicates } from "./duplicates";
import { liftedPauses, pauseRule, resumeRule } from "./pause";
import { Recorder } from "./recorder";
import { emptySummary, type DispatchSummary } from "./report";
import { senderForClaim, type SendContext } from "./send";
import { Slots, type SlotLimits } from "./slots";

// The delivery pipeline: up to `limits.total` requests in flight, claiming more whenever slots free
// up (small claims, never more than can start), so a slow endpoint holds up only its own slots.
// Each outcome goes to the recorder as soon as its request ends. The leases of deliveries still
// being sent or recorded are extended while they are, so no other dispatcher re-sends them.

export interface PipelineOptions extends SendContext {
  /** For the report's consumer (rule health); claiming and recording use `sql`. */
  prisma: PrismaClient;
  owner: string;
  leaseMs: number;
  limits: SlotLimits;
  /** At most this many deliveries per claim. */
  claimSize: number;
  /** Claim once, send and record that claim, and stop (no further claim). */
  once?: boolean;
  /** No claim after this time (Date.now()); what is in flight is still finished and recorded. */
  deadline?: number;
  /** Says to stop claiming (the process is stopping). */
  stopping?: () => boolean;
  /** Receives the pipeline's wake-up (WakeReason; "due" when not given). */
  listen?: (wake: (why?: WakeReason) => void) => void;
  /** The process's requests in flight, when they outlive one run (hand-offs reserve slots in it); a fresh count when not given. */
  slots?: Slots;
  /** Deliveries handed to this dispatcher (lib/delivery/handoff.ts): leased, their slots taken; started as they come. */
  inbox?: Claimed[];
  /** Whether to claim before anything wakes it (default true; false when started for hand-offs only). */
  claimFirst?: boolean;
  /** How long to wait, with requests in flight, before looking for due deliveries again. */
  idlePollMs?: number;
  /** The process's circuit breakers (one set per process; a fresh set when not given). */
  breakers?: Breakers;
  /** The recorder's group size and delay. */
  record?: { groupSize: number; delayMs: number };
  /** Told when a delivery left waiting for a batch becomes due by time (ms since the epoch). */
  batchDueAt?: (at: number) => void;
}

/**
 * Why the pipeline is woken: "due", deliveries were written unleased and are due (it claims, and
 * hands nothing off until it has claimed what waits); "look", the periodic look for retries come
 * due (it claims, and hand-offs stay open: the look tells nothing of what waits); "handed", its
 * inbox got deliveries or stopping() changed.
 */
export type WakeReason = "due" | "look" | "handed";

/**
 * Before a claim, the pipeline waits up to `ms` for `share` of its pool to come free, so requests
 * that end close together share one claim. On a PGlite that runs in the calling thread (`inThread`:
 * the app's runs on its own thread, lib/db/pglite-thread.ts, and is claimed from as PostgreSQL is),
 * a claim takes that thread for about 2 ms whatever it returns, so claims gather longer and larger
 * (measured on 1,000 events: 694–723 deliveries/s with PostgreSQL's setting, 809–848/s with this).
 */
const GATHER = { postgres: { share: 1 / 8, ms: 3 }, inThread: { share: 1 / 4, ms: 10 } };

type Waiting = Slots["waiting"];
const NOTHING_WAITING: Waiting = { rules: new Set(), hosts: new Set() };

/** With requests in flight, the longest time between claims, even when no due delivery is known to wait. */
const CLAIM_AT_LEAST_MS = 1000;

/** While a breaker's pause runs, how often at most a claim first asks whether the rule's row still holds it. */
const LIFT_CHECK_MS = 250;

/** How long a run that handed deliveries off waits, with nothing left to do, for the next before it ends. */
const LINGER_MS = 250;

/**
 * After a claim locked out by another's (nothing claimed, nothing in flight): the first wait
 * before the next claim, doubled each time, and how many times to look again. A claim holds its
 * locks for milliseconds, so 6 (about 0.3 s in all) outlast it; rows locked for longer (an open
 * transaction of someone else's) are left to the next wake-up, as when nothing is due.
 */
const LOCKED_OUT_FIRST_MS = 5;
const LOCKED_OUT_TRIES = 6;

/** Failures logged while a run goes on (the database is away: every extension fails alike), each at most every 30 s. */
const failureLog = quietLog();

/** A wake-up that is not lost when it comes before the wait. */
function signal() {
  let raised = false;
  let release: (() => void) | null = null;
  return {
    raise(): void {
      raised = true;
      release?.();
    },
    async wait(ms: number): Promise<void> {
      if (!raised) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          release = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      release = null;
      raised = false;
    },
  };
}

/** Runs the pipeline until nothing is due and nothing is in flight (or it is told to stop); returns what happened. */
export async function runPipeline(opts: PipelineOptions): Promise<DispatchSummary> {
  const { sql, prisma, owner, now, leaseMs, limits } = opts;
  const summary = emptySummary();
  const slots = opts.slots ?? new Slots(limits);
  const gathering = sql.inThread ? GATHER.inThread : GATHER.postgres;
  const gather = Math.max(1, Math.floor(limits.total * gathering.share));
  const leased = new Set<string>(); // claimed and not yet recorded
  const running = new Set<Promise<void>>();
  const breakers = opts.breakers ?? new Breakers();
  const wake = signal();
  // Whether due deliveries may be waiting in the database. A claim that came back with fewer than
  // it asked for, while no rule or host was at its limit, found every due delivery: until
  // something is said to be due again (a wake-up, the tick) or a claim was cut short, finished
  // requests free their slots for hand-offs without a claim after each.
  let claimWanted = opts.claimFirst ?? true;
  // Whether due deliveries may be waiting in the database, so that hand-offs would go ahead of
  // them. Unlike claimWanted, the periodic look for retries does not set it.
  let backlog = claimWanted;
  // Where due deliveries may wait when it is not anywhere: the rules and hosts the last claim stopped at.
  let waitingAt: Waiting = slots.waiting;
  let lastClaimAt = performance.now();
  // Counts the wake-ups that said deliveries are due: one that comes while a claim runs (whose
  // snapshot may predate the commit it reports) asks for another claim after it.
  let dueWakeUps = 0;
  opts.listen?.((why = "due") => {
    if (why === "due") {
      backlog = true;
      dueWakeUps++;
      slots.backlog = true;
    }
    if (why !== "handed") claimWanted = true;
    wake.raise();
  });
  // Every lease this run holds runs at least leaseMs past the last extension that was written (or
  // past the run's start: claims and hand-offs lease for leaseMs from when they are written, and the
  // first extension comes within a third of it). A group the recorder fails to write is tried again
  // until two thirds of that, the rest a margin for the clocks of other processes and the server.
  let leasesHeldFrom = Date.now();
  const recorder = new Recorder({
    sql, prisma, owner, now, groupSize: opts.record?.groupSize ?? 50, delayMs: opts.record?.delayMs ?? 5,
    done: (ids) => ids.forEach((id) => leased.delete(id)),
    retryUntil: () => leasesHeldFrom + (leaseMs * 2) / 3,
    stopping: () => opts.stopping?.() ?? false,
  });
  let failure: unknown = null;
  const extender = setInterval(() => {
    const at = Date.now();
    extendLeases(sql, owner, [...leased], now(), leaseMs).then(
      () => (leasesHeldFrom = at),
      (err: unknown) => failureLog(`dispatcher: extending leases: ${err instanceof Error ? err.message : String(err)}`),
    );
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  extender.unref();

  // A batch (batches.ts) is one request, one slot, one outcome for the breaker; each member's
  // decision is recorded.
  type Send = (d: Claimed) => Promise<Decision | Decision[]>;
  // Claimed while hand-offs took the room the claim counted on (they reserve slots while its
  // statement runs): leased here, started in order as their rule and host have room again.
  const overflow: { d: Claimed; send: Send }[] = [];
  const start = (d: Claimed, send: Send, slotTaken = false) => {
    const ids = d.members?.map((m) => m.id) ?? [d.id];
    ids.forEach((id) => leased.add(id));
    if (!slotTaken && !slots.fits(d.ruleId, d.host)) {
      overflow.push({ d, send });
      return;
    }
    if (!slotTaken) slots.take(d.ruleId, d.host);
    breakers.started(d.ruleId, now().getTime());
    let failed = false;
    const task = send(d)
      .then(
        (decided) => {
          for (const decision of [decided].flat()) {
            summary[decision.tally]++;
            recorder.add(decision);
            failed ||= decision.health ? endpointFailed(decision.health) : false;
          }
        },
        (err: unknown) => {
          failure ??= err; // its lease expires and it is claimed again
          ids.forEach((id) => leased.delete(id));
        },
      )
      .then(() => {
        const probe = breakers.probing(d.ruleId);
        const until = breakers.ended(d.ruleId, failed, now().getTime());
        if (until !== null) return pause(d.ruleId, until, probe);
        if (probe) {
          claimWanted = true; // what the breaker held back is due: claim it before the rule's new deliveries
          return resume(d.ruleId);
        }
      })
      .finally(() => {
        slots.release(d.ruleId, d.host);
        running.delete(task);
        wake.raise();
      });
    running.add(task);
  };

  // A pause and its end are written to the rule's row (every process's claim skips a paused rule;
  // its deliveries wait, in their order, until the pause ends).
  const logged = (what: string) => (err: unknown) => failureLog(`dispatcher: ${what}: ${err instanceof Error ? err.message : String(err)}`);
  const pause = (ruleId: string, until: number, afterProbe: boolean) =>
    pauseRule(sql, ruleId, new Date(until), afterProbe ? "probe" : breakers.settings).then(() => breakers.written(ruleId, until), logged("pausing a rule"));
  const resume = (ruleId: string) => resumeRule(sql, ruleId, now()).catch(logged("resuming a rule"));

  const startOverflow = () => {
    for (let i = 0; i < overflow.length; ) {
      const { d, send } = overflow[i]!;
      if (!slots.fits(d.ruleId, d.host)) i++;
      else {
        overflow.splice(i, 1);
        start(d, send);
      }
    }
  };
  // A pause this process's breaker wrote may have been lifted on the rule's row since (the rule
  // re-enabled, here or in another process): the breaker then closes at once, instead of holding
  // the rule until the pause it remembers ends. Asked before a claim, at most every LIFT_CHECK_MS,
  // and only while such a pause runs.
  const liftLifted = async () => {
    const pauses = breakers.pausedHere(now().getTime());
    if (!pauses.length || performance.now() - breakers.liftCheckedAt < LIFT_CHECK_MS) return;
    breakers.liftCheckedAt = performance.now();
    for (const ruleId of await liftedPauses(sql, pauses)) breakers.lift(ruleId);
  };
  // What is in flight or reserved, and what waits in `overflow` as if it were.
  const busyNow = () => {
    const busy = slots.busy();
    for (const { d } of overflow) {
      busy.free--;
      busy.rules[d.ruleId] = (busy.rules[d.ruleId] ?? 0) + 1;
      busy.hosts[d.host] = (busy.hosts[d.host] ?? 0) + 1;
    }
    busy.free = Math.max(0, Math.min(busy.free, opts.claimSize));
    for (const [ruleId, room] of breakers.restricted(now().getTime())) busy.rules[ruleId] = Math.max(busy.rules[ruleId] ?? 0, limits.perRule - room);
    return busy;
  };
  const batchesDue = batchClock();
  const keepPlans = planKeeper(sql);
  let lockedOutTries = 0;
  let lingered = false;
  // Hand-offs are refused while due deliveries may be waiting (in the database, or claimed and
  // waiting for a slot here): they were there first.
  const noteBacklog = () => {
    slots.backlog = backlog || overflow.length > 0;
    slots.waiting = waitingAt;
  };
  const startHanded = () => {
    const handed = opts.inbox?.splice(0) ?? [];
    if (!handed.length) return;
    summary.handed += handed.length;
    const send = senderForClaim(opts);
    for (const d of handed) start(d, send, true);
  };
  // The rules and hosts at their limit in `busy`. A rule its circuit breaker holds back is left
  // out: what it leaves in the database waits for the breaker (whose reopening a claim finds within
  // CLAIM_AT_LEAST_MS), and no hand-off goes to it meanwhile, so it is no reason to claim again.
  // It still waits (withHeldBack), as does a rule the claim passed over because it is paused.
  const fullAt = (busy: Pick<ReturnType<typeof busyNow>, "rules" | "hosts">, held: ReadonlySet<string>) => ({
    rules: new Set(Object.entries(busy.rules).flatMap(([ruleId, n]) => (n >= limits.perRule && !held.has(ruleId) ? [ruleId] : []))),
    hosts: new Set(Object.entries(busy.hosts).flatMap(([host, n]) => (n >= limits.perHost ? [host] : []))),
  });
  /**
   * `waiting`, with the rules held back meanwhile: by this process's breakers (`held`), or paused in
   * the database (`paused`: those the claim passed over with deliveries waiting). No hand-off goes to
   * them while they are held; once they are let go, a new delivery must not go ahead of what they
   * left waiting, so they stay in `waiting` until a claim finds it.
   */
  const withHeldBack = (waiting: Waiting, held: ReadonlySet<string>, paused: readonly string[]): Waiting =>
    held.size || paused.length ? { rules: new Set([...waiting.rules, ...held, ...paused]), hosts: waiting.hosts } : waiting;
  /**
   * Where a claim may have left due deliveries behind: anywhere ("all") when it took all it asked
   * for; else at the rules and hosts whose whole room it took (as counted when it began), or that
   * had none; null when it found every due delivery it could have taken.
   */
  const cutShort = (busy: ReturnType<typeof busyNow>, claimed: readonly Claimed[], held: ReadonlySet<string>): "all" | Waiting | null => {
    if (claimed.length >= busy.free) return "all";
    const rules: Record<string, number> = { ...busy.rules };
    const hosts: Record<string, number> = { ...busy.hosts };
    for (const d of claimed) {
      rules[d.ruleId] = (rules[d.ruleId] ?? 0) + 1;
      hosts[d.host] = (hosts[d.host] ?? 0) + 1;
    }
    const full = fullAt({ rules, hosts }, held); // counted after the claim: what was full before still is
    return full.rules.size || full.hosts.size ? full : null;
  };

  noteBacklog();
  try {
    while (!failure && !recorder.failure && !opts.stopping?.() && Date.now() < (opts.deadline ?? Infinity)) {
      keepPlans();
      startOverflow();
      startHanded();
      // Retries and deliveries queued without a wake-up come due meanwhile: look at least this often.
      if (performance.now() - lastClaimAt >= CLAIM_AT_LEAST_MS) claimWanted = true;
      let claimed: Claimed[] = [];
      let lockedOut = false;
      let paused: string[] = [];
      if (claimWanted) {
        try {
          await liftLifted();
        } catch (err) {
          failure = err;
          break;
        }
        const busy = busyNow();
        const dueBefore = dueWakeUps;
        let toSend: Claimed[];
        try {
          ({ claimed, lockedOut, paused } = await claimOrLockedOut(sql, owner, now(), leaseMs, busy, limits, [...leased]));
          // Duplicates (rules with duplicate suppression only) are recorded SKIPPED by the check.
          const checked = await withoutDuplicates(prisma, owner, claimed, now());
          summary.skipped += checked.skipped;
          toSend = checked.send;
        } catch (err) {
          failure = err;
          break;
        }
        summary.claimed += claimed.length;
        if (toSend.length) {
          const send = senderForClaim(opts);
          for (const d of toSend) start(d, send);
        }
        lastClaimAt = performance.now();
        const held = new Set(breakers.restricted(now().getTime()).map(([ruleId]) => ruleId)); // rules this process's breakers hold back
        const short = cutShort(busy, claimed, held);
        const unknown = !opts.inbox || dueWakeUps !== dueBefore || lockedOut || short === "all";
        claimWanted = unknown || overflow.length > 0 || short !== null;
        // A claim without room to take anything (busy.free 0) learned nothing of the database.
        if (busy.free > 0) {
          backlog = unknown || overflow.length > 0;
          waitingAt = withHeldBack(short && short !== "all" ? short : NOTHING_WAITING, held, paused);
        }
      }
      if (batchesDue()) {
        let batches: Claimed[];
        try {
          const claimed = await claimBatches(prisma, sql, owner, now(), leaseMs, busyNow(), limits, [...leased]);
          batches = claimed.units;
          if (claimed.nextDueAt !== null) opts.batchDueAt?.(claimed.nextDueAt);
        } catch (err) {
          failure = err;
          break;
        }
        const send = batchSender(senderForClaim(opts));
        for (const b of batches) {
          summary.claimed += b.members!.length;
          start(b, send);
        }
      }
      if (opts.once) break;
      noteBacklog();
      if (!claimed.length && !running.size && !opts.inbox?.length && !overflow.length) {
        if (!lockedOut && summary.handed && !claimWanted && !lingered) {
          // Handing off under steady traffic: the next lead is milliseconds away, so wait a
          // moment for it here rather than end the run and start another for it.
          lingered = true;
          await wake.wait(LINGER_MS);
          continue;
        }
        // Locked out by another process's claim in progress: what it does not take is free again
        // when its statement ends, so look again shortly (backing off) instead of stopping.
        if (!lockedOut || lockedOutTries >= LOCKED_OUT_TRIES) break;
        await wake.wait(LOCKED_OUT_FIRST_MS * 2 ** lockedOutTries++);
        continue;
      }
      lockedOutTries = 0;
      lingered = false;
      if (!opts.inbox?.length) await wake.wait(opts.idlePollMs ?? 1000);
      // Requests that end close together free their slots for one claim: wait a moment for a
      // share of the pool to come free (or for nothing to be left in flight) before claiming.
      // Hand-offs do not wait.
      const until = performance.now() + gathering.ms;
      while (claimWanted && !opts.inbox?.length && running.size && slots.released < gather && performance.now() < until) await wake.wait(Math.max(1, until - performance.now()));
      slots.released = 0;
    }
    // What is leased here is sent before the run ends (claimed rows waiting for a slot, handed
    // ones not started yet): left alone, each would wait for its lease to run out.
    for (;;) {
      startOverflow();
      startHanded();
      if (!running.size) break;
      await Promise.race([...running]);
    }
    await recorder.flush();
  } finally {
    clearInterval(extender);
    // What this run left (a failure, its deadline) is found by the next run's claim.
    slots.backlog = backlog || claimWanted || overflow.length > 0;
  }
  if (failure ?? recorder.failure) throw failure ?? recorder.failure;
  return summary;
}
