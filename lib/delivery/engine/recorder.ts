import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Sql } from "@/lib/db/sql";
import type { Decision } from "../policy/outcome";
import { recordBatch } from "./record";
import { chainDecision } from "../policy/chain";
import { chainWriter } from "./chain";
import { emitReport, emptySummary } from "./report";

// The pipeline's recorder: decisions are written in small, frequent groups (when `groupSize` are
// waiting or `delayMs` after the first, whichever comes first), one transaction per group, each
// group's report emitted after it is committed. Groups are written one after another, so rule
// health sees attempts in the order they were recorded.

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
  private chain: Promise<void> = Promise.resolve();
  /** The first failure to write or report a group (its deliveries keep their lease until it expires). */
  failure: unknown = null;

  constructor(private readonly opts: RecorderOptions) {}

  add(decision: Decision): void {
    this.waiting.push(decision);
    if (this.waiting.length >= this.opts.groupSize) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.opts.delayMs);
  }

  /** Writes what is waiting; resolves once every group handed over so far is written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const group = this.waiting;
    this.waiting = [];
    if (group.length) this.chain = this.chain.then(() => this.write(group));
    return this.chain;
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
