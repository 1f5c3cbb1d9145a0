import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Sql } from "@/lib/db/sql";
import type { Decision } from "../policy/outcome";
import { recordBatch } from "./record";
import { chainDecision } from "../policy/chain";
import { chainWriter } from "./chain";
import { emitReport, emptySummary } from "./report";

// The pipeline's recorder: decisions are written in small, frequent groups, one statement per
// group, each group's report emitted after it is committed. When nothing is being written, a group
// goes when `groupSize` are waiting or `delayMs` after the first, whichever comes first; while one
// is being written, everything that ends meanwhile waits and goes as the next group (up to
// MAX_GROUP at a time), so under load groups grow instead of queueing up behind each other.
// Groups are written one after another, so rule health sees attempts in the order they were recorded.

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
      const rows = links.length ? await chainWriter().prepare(sql, links, now()) : null;
      await recordBatch(sql, owner, group, now(), rows);
      if (rows) chainWriter().written();
      const summary = emptySummary();
      for (const d of group) summary[d.tally]++;
      const capsReached = group.flatMap((d) => (d.capReached ? [d.capReached] : []));
      await emitReport({ prisma, sql }, { summary, health: group.flatMap((d) => (d.health ? [d.health] : [])), ...(capsReached.length ? { capsReached } : {}), at: now() });
    } catch (err) {
      this.failure ??= err;
    } finally {
      this.opts.done(group.map((d) => d.outcome.id));
    }
  }
}
