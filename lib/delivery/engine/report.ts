import type { Sql } from "@/lib/db/sql";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { CapReached, HealthEntry } from "../policy/outcome";

// What a batch reports once it is recorded, and the one consumer of it in this process (rule
// health and notifications, wired by instrumentation.ts; the engine never imports them). Kept on
// globalThis: Next.js bundles the server in several chunks, each with its own module instances.

export interface DispatchSummary {
  claimed: number;
  /** Started as lead intake handed them over, leased already (lib/delivery/handoff.ts): never claimed. */
  handed: number;
  succeeded: number;
  retrying: number;
  failed: number;
  skipped: number;
  /** Not sent because the rule's sending window is closed; rescheduled for when it opens. */
  deferred: number;
}

export const emptySummary = (): DispatchSummary => ({ claimed: 0, handed: 0, succeeded: 0, retrying: 0, failed: 0, skipped: 0, deferred: 0 });

/** Adds `more` into `total`. */
export function addSummary(total: DispatchSummary, more: DispatchSummary): void {
  for (const k of Object.keys(total) as (keyof DispatchSummary)[]) total[k] += more[k];
}

export interface DispatchReport {
  summary: DispatchSummary;
  /** One entry per attempt that counts for its rule's health, in the order they ended. */
  health: HealthEntry[];
  /** Rules whose cap was reached for the first time in its period (their admins are told). */
  capsReached?: CapReached[];
  at: Date;
}

/** The database handles a report's consumer works with: Prisma, and plain SQL for its cheap checks. */
export interface ReportDb {
  prisma: PrismaClient;
  sql: Sql;
}

export type ReportConsumer = (db: ReportDb, report: DispatchReport) => Promise<void>;

const key = Symbol.for("leadhooks.dispatch-report");
type G = typeof globalThis & { [key]?: ReportConsumer };

/** Sets what consumes every batch's report from now on (replacing any earlier consumer). */
export function consumeReportsWith(consumer: ReportConsumer): void {
  (globalThis as G)[key] = consumer;
}

/** Hands a recorded batch's report to the consumer, if one is wired. */
export async function emitReport(db: ReportDb, report: DispatchReport): Promise<void> {
  await (globalThis as G)[key]?.(db, report);
}
