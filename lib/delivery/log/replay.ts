import { CONDITION_SKIP_PREFIX } from "@/lib/delivery/render/conditions";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { retryFailedDeliveries } from "./retry";

// Bulk replay: every delivery of a rule (or of the whole organization) created in a time window
// goes back in the queue, due now, with its id and frozen request unchanged (so receivers see the
// same webhook-id and body). Used by the delivery log's "Replay…" form, by re-enabling a rule
// that was disabled, and by the REST API.

export const REPLAY_STATES = ["FAILED", "SKIPPED", "SUCCEEDED"] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];
/** What a replay re-sends unless told otherwise: what did not arrive. Succeeded ones only on request. */
export const DEFAULT_REPLAY_STATES: ReplayState[] = ["FAILED", "SKIPPED"];
/** Deliveries one replay may re-queue: a bigger window is split by the admin, not sent by accident. */
export const MAX_REPLAY = 50_000;

export interface ReplayOptions {
  ruleId?: string;
  from: Date;
  to: Date;
  states?: ReplayState[];
}

/**
 * The deliveries a replay covers. PENDING ones are already queued. A request that could not be
 * rendered has no frozen request (no headers at all: every rendered request has a user-agent) and
 * is never re-sent; a lead the rule's conditions skipped is left out too (it was not meant to be
 * sent; a single Retry on its page still can).
 */
export function replayWhere(organizationId: string, opts: ReplayOptions): Prisma.DeliveryWhereInput {
  return {
    organizationId,
    ...(opts.ruleId ? { ruleId: opts.ruleId } : {}),
    createdAt: { gte: opts.from, lte: opts.to },
    NOT: [{ requestHeaders: { equals: {} } }, { state: "SKIPPED", lastError: { not: null, startsWith: CONDITION_SKIP_PREFIX } }],
  };
}

async function checkOptions(prisma: PrismaClient, organizationId: string, opts: ReplayOptions): Promise<ReplayState[]> {
  if (!(opts.from.getTime() <= opts.to.getTime())) throw new DomainError("The start of the time range must be before its end.", { from: ["Must be before “To”."] });
  if (opts.ruleId) {
    const rule = await prisma.webhookRule.findFirst({ where: { id: opts.ruleId, organizationId }, select: { id: true } });
    if (!rule) throw new NotFoundError("Rule not found");
  }
  const states = [...new Set(opts.states?.length ? opts.states : DEFAULT_REPLAY_STATES)];
  const total = await countReplayable(prisma, organizationId, { ...opts, states });
  if (total > MAX_REPLAY) throw new DomainError(`That would replay ${total} deliveries; narrow the time range to at most ${MAX_REPLAY} at a time.`);
  return states;
}

/** How many deliveries replayDeliveries would re-queue now. */
export async function countReplayable(prisma: PrismaClient, organizationId: string, opts: ReplayOptions): Promise<number> {
  const states = opts.states?.length ? opts.states : DEFAULT_REPLAY_STATES;
  return prisma.delivery.count({ where: { AND: [replayWhere(organizationId, opts), { state: { in: states } }] } });
}

/**
 * Re-queues the organization's deliveries matching `opts` (default states FAILED and SKIPPED).
 * Another organization's rule id is "not found". Returns how many were re-queued; the caller
 * kicks the dispatcher.
 */
export async function replayDeliveries(prisma: PrismaClient, organizationId: string, opts: ReplayOptions, now = new Date()): Promise<{ count: number }> {
  const states = await checkOptions(prisma, organizationId, opts);
  const where = replayWhere(organizationId, opts);
  let count = 0;
  // FAILED goes through the log's own "Retry failed" path; the other states are re-queued the
  // same way (the same fields, see retryFailedDeliveries), SUCCEEDED ones only when asked for.
  if (states.includes("FAILED")) count += await retryFailedDeliveries(prisma, organizationId, where, now);
  const others = states.filter((s): s is "SKIPPED" | "SUCCEEDED" => s !== "FAILED");
  if (others.length) {
    const res = await prisma.delivery.updateMany({
      where: { AND: [where, { state: { in: others } }] },
      data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null },
    });
    count += res.count;
  }
  return { count };
}

/**
 * What re-enabling a disabled rule offers to replay: its deliveries that failed or were skipped
 * from the first failure of the streak that disabled it (or the oldest delivery skipped because it
 * was disabled, or the time it was disabled) until now.
 * Null when the rule is enabled or was never disabled with a time.
 */
export async function downtimeReplay(prisma: PrismaClient, organizationId: string, ruleId: string, now = new Date()): Promise<{ from: Date; to: Date; count: number } | null> {
  const rule = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { enabled: true, disabledAt: true } });
  if (!rule) throw new NotFoundError();
  if (rule.enabled || !rule.disabledAt) return null;
  // The streak began after the rule's last delivery that arrived: the oldest delivery that ended
  // FAILED since then is where it started.
  const lastSuccess = await prisma.delivery.findFirst({
    where: { organizationId, ruleId, state: "SUCCEEDED", completedAt: { not: null } },
    orderBy: { completedAt: "desc" },
    select: { completedAt: true },
  });
  const firstFailure = await prisma.delivery.findFirst({
    where: { organizationId, ruleId, state: "FAILED", ...(lastSuccess?.completedAt ? { completedAt: { gt: lastSuccess.completedAt } } : {}) },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  // Deliveries still queued when it was disabled were skipped by the dispatcher after that.
  const firstSkipped = await prisma.delivery.findFirst({
    where: { organizationId, ruleId, state: "SKIPPED", completedAt: { gte: rule.disabledAt } },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  const from = new Date(Math.min(rule.disabledAt.getTime(), ...[firstFailure, firstSkipped].flatMap((d) => (d ? [d.createdAt.getTime()] : []))));
  const window = { ruleId, from, to: now, states: DEFAULT_REPLAY_STATES };
  return { from, to: now, count: await countReplayable(prisma, organizationId, window) };
}
