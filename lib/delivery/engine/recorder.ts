import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Sql } from "@/lib/db/sql";
import type { Decision } from "../policy/outcome";
import { recordBatch } from "./record";
import { chainDecision } from "../policy/chain";
import { chainWriter } from "./chain";
import { emitReport, emptySummary } from "./report";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";

// The pipeline's recorder: decisions are written in small, frequent groups, one statement per
// group, each group's report emitted after it is committed. When nothing is being written, a group
// goes when `groupSize` are waiting or `delayMs` after the first, whichever comes first; while one
// is being written, everything that ends meanwhile waits and goes as the next group (up to
// MAX_GROUP at a time), so under load groups grow instead of queueing up behind each other.
// Groups are written one after another, so rule health sees attempts in the order they were recorded.
//
// A group that fails to be written because the database could not be reached (it restarted, a
// connection dropped or went unanswered) is tried again, with a growing pause, until its
// deliveries' leases may run out (`retryUntil`, read at the first failure: extensions written
// meanwhile do not move it, so an outage that lasts is left to the leases): given up sooner,
// every request of the group, answered or not, would be sent again once its lease ran out. Any
// other error fails the group at once, as before. Writing a group twice does no harm: the
// attempt's (delivery, number) is unique and the outcome is written only while this process holds
// the lease, which the first write released. A process that is stopping gives a group
// STOPPING_TRIES at most. The report that follows (rule health, cap notifications) is sent once.

/** Pauses between tries of a group: doubling from the first, at most the last. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;
const STOPPING_TRIES = 3;

/** The most decisions written in one statement. */
const MAX_GROUP = 500;

export interface RecorderOptions {
  sql: Sql;
  /** For the report's consumer (rule health). */
  prisma: PrismaClient;
  owner: string;
  now: () => Date;
  groupSize: number;
  delayMs: number;
  /** Called with a group's delivery ids once it is written (or failed to be). */
  done: (ids: string[]) => void;
  /** Until when (epoch ms) a group that failed may be tried again (default: never). */
  retryUntil?: () => number;
  /** Whether the process is stopping. */
  stopping?: () => boolean;
  /** Where a failed try is reported. */
  log?: (line: string) => void;
}

export class Recorder {
  private waiting: Decision[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  /** The first failure to write or report a group (its deliveries keep their lease until it expires). */
  failure: unknown = null;

  constructor(private readonly opts: RecorderOptions) {}

  add(decision: Decision): void {
    this.waiting.push(decision);
    if (this.writing) return; // it goes with the group after the one being written
    if (this.waiting.length >= this.opts.groupSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.delayMs);
  }

  /** Writes what is waiting; resolves once every decision handed over so far is written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.writing && this.waiting.length) this.writing = this.drain();
    return this.writing ?? Promise.resolve();
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) await this.write(this.waiting.splice(0, MAX_GROUP));
    this.writing = null;
  }

  private async write(group: Decision[]): Promise<void> {
    const { sql, prisma, owner, now } = this.opts;
    try {
      // Outcomes that pass the lead on (fallback and linked rules) are written with the chained deliveries.
      const chained = group.map((d) => chainDecision(d, now()));
      const links = chained.flatMap((c) => (c.link ? [c.link] : []));
      if (links.length) group = chained.map((c) => c.decision);
      await this.tried(group.length, async () => {
        const rows = links.length ? await chainWriter().prepare(sql, links, now()) : null;
        await recordBatch(sql, owner, group, now(), rows);
        if (rows) chainWriter().written();
      });
      const summary = emptySummary();
      for (const d of group) summary[d.tally]++;
      const capsReached = group.flatMap((d) => (d.capReached ? [d.capReached] : []));
      const report = { summary, health: group.flatMap((d) => (d.health ? [d.health] : [])), ...(capsReached.length ? { capsReached } : {}), at: now() };
      await emitReport({ prisma, sql }, report);
    } catch (err) {
      this.failure ??= err;
    } finally {
      this.opts.done(group.map((d) => d.outcome.id));
    }
  }

  /** Runs `step`, again after a pause each time the database could not be reached, while the leases hold (see above). */
  private async tried(size: number, step: () => Promise<void>): Promise<void> {
    const { retryUntil = () => 0, stopping = () => false, log = console.error } = this.opts;
    let until = 0;
    for (let tries = 1; ; tries++) {
      try {
        return await step();
      } catch (err) {
        if (tries === 1) until = retryUntil();
        const pause = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (tries - 1));
        if (!isDatabaseUnavailable(err) || Date.now() + pause >= until || (stopping() && tries >= STOPPING_TRIES)) throw err;
        if (tries === 1) log(`dispatcher: recording ${size} outcome${size === 1 ? "" : "s"} failed (${err instanceof Error ? err.message : String(err)}); trying again while their leases hold`);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }
}
