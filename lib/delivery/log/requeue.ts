import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { CAP_HELD_PREFIX, RATE_WAITING_PREFIX } from "@/lib/domain/rule/limits";
import { WAITING_MESSAGE } from "../policy/outcome";
import { wakeDispatcher } from "../wake";

// Sending again: a retry (one delivery, or every failed one matching the log's filters) and a bulk
// replay (a rule's, or every rule's, deliveries created in a time window) put existing deliveries
// back in the queue, due now, with their id and frozen request unchanged (so receivers see the
// same webhook-id and body). Nothing here creates a lead, an event or a delivery. Whatever was
// queued again wakes the dispatcher. Replay is used by the delivery log's "Replay…" form, by
// re-enabling a rule that was disabled, and by the REST API.

/**
 * The one re-queue: due now, no lease, not completed, no longer skipped. Returns how many. A test
 * send is never queued (it would be sent and counted as a real delivery). A delivery sent in a
 * batch leaves it (a batch's id names one request's members): its rule puts it in a new batch.
 */
async function requeue(prisma: PrismaClient, where: Prisma.DeliveryWhereInput, now: Date, also: Prisma.DeliveryUpdateManyMutationInput = {}): Promise<number> {
  const { count } = await prisma.delivery.updateMany({
    where: { AND: [where, { isTest: false }] },
    data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null, skipKind: null, batchId: null, ...also },
  });
  if (count > 0) wakeDispatcher();
  return count;
}

/** What changed on a rule whose deliveries may be waiting for it (releaseHeld). */
export interface HeldBy {
  /** Its caps or rate limit. */
  limits: boolean;
  /** Its sending window. */
  window: boolean;
}

/**
 * A rule's deliveries that what changed held back, due now: called when the rule's caps or rate
 * limit, or its sending window, change, so each is weighed against the new ones at its next claim
 * (and held again if still over, or deferred again if the window is still closed) instead of
 * waiting for the old period to reset or the old window to open. With new limits a full rate
 * window stops passing the rule over too (the next claim reserves against the new rate, and marks
 * the window full again if it still is): its due deliveries were never claimed, so they carry no
 * mark to release. Returns how many deliveries were queued again.
 */
export async function releaseHeld(prisma: PrismaClient, organizationId: string, ruleId: string, changed: HeldBy, now = new Date()): Promise<number> {
  const reasons: Prisma.DeliveryWhereInput[] = [
    ...(changed.limits ? [{ lastError: { startsWith: CAP_HELD_PREFIX } }, { lastError: { startsWith: RATE_WAITING_PREFIX } }] : []),
    // Deferred by a claim or recorded outside the window (its reason), or recorded so before
    // deliveries said why (never attempted, nothing said: the outbox set its due time to the opening).
    ...(changed.window ? [{ lastError: WAITING_MESSAGE }, { lastError: null, attemptCount: 0 }] : []),
  ];
  const { count: reopened } = changed.limits
    ? await prisma.ruleUsage.updateMany({ where: { ruleId, rule: { organizationId }, rateFullUntil: { gt: now } }, data: { rateFullUntil: null } })
    : { count: 0 };
  const requeued = reasons.length
    ? await requeue(
        prisma,
        { organizationId, ruleId, state: "PENDING", nextAttemptAt: { gt: now }, AND: [{ OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] }, { OR: reasons }] },
        now,
      )
    : 0;
  if (reopened > 0 && requeued === 0) wakeDispatcher();
  return requeued;
}

/**
 * Any finished delivery (SUCCEEDED ones too when an admin asks: the receiver dedupes on
 * webhook-id), or a PENDING one waiting for its next attempt. A PENDING delivery under a live
 * lease is being sent right now: clearing its lease would let a second dispatcher send it
 * concurrently and drop the first one's outcome.
 */
function retryableNow(now: Date): Prisma.DeliveryWhereInput {
  return {
    OR: [
      { state: { in: ["FAILED", "SKIPPED", "SUCCEEDED"] } },
      { state: "PENDING", OR: [{ leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] },
    ],
  };
}

export async function retryDelivery(prisma: PrismaClient, organizationId: string, deliveryId: string, now = new Date()): Promise<void> {
  const unrendered = await prisma.delivery.count({ where: { id: deliveryId, organizationId, requestHeaders: { equals: {} } } });
  // A request that could not be rendered has nothing frozen to send.
  if (unrendered) throw new DomainError("This delivery has no request to send: its request could not be rendered. Fix the rule; new events use the fix.");
  if (await requeue(prisma, { AND: [{ id: deliveryId, organizationId }, retryableNow(now)] }, now)) return;
  const exists = await prisma.delivery.findFirst({ where: { id: deliveryId, organizationId }, select: { isTest: true } });
  if (!exists) throw new NotFoundError("Delivery not found");
  if (exists.isTest) throw new DomainError("A test send is never sent again: send a new test from the rule's form (or POST /api/v1/webhooks/{id}/test).");
  throw new DomainError("This delivery is being sent right now. Retry it once this attempt has finished.");
}

/**
 * "Send anyway": a delivery skipped as a duplicate of an earlier one is queued again without the
 * duplicate check, for this send (the engine checks a delivery while duplicateOfId is set, so
 * clearing it lets it go; its key stays, so later leads count it as sent). A plain retry of it is
 * checked again.
 */
export async function sendDuplicateAnyway(prisma: PrismaClient, organizationId: string, deliveryId: string, now = new Date()): Promise<void> {
  if (await requeue(prisma, { id: deliveryId, organizationId, state: "SKIPPED", duplicateOfId: { not: null } }, now, { duplicateOfId: null })) return;
  const exists = await prisma.delivery.findFirst({ where: { id: deliveryId, organizationId }, select: { id: true } });
  if (!exists) throw new NotFoundError("Delivery not found");
  throw new DomainError("Only a delivery skipped as a duplicate can be sent anyway; use Retry for others.");
}

/** Re-queues every FAILED delivery of the organization that matches `where`; returns how many. */
export async function retryFailedDeliveries(prisma: PrismaClient, organizationId: string, where: Prisma.DeliveryWhereInput = {}, now = new Date()): Promise<number> {
  return requeue(prisma, { AND: [where, { organizationId, state: "FAILED" }] }, now);
}

export const REPLAY_STATES = ["FAILED", "SKIPPED", "SUCCEEDED"] as const;
type ReplayState = (typeof REPLAY_STATES)[number];
/** What a replay re-sends unless told otherwise: what did not arrive. Succeeded ones only on request. */
const DEFAULT_REPLAY_STATES: ReplayState[] = ["FAILED", "SKIPPED"];
/** Deliveries one replay may re-queue: a bigger window is split by the admin, not sent by accident. */
const MAX_REPLAY = 50_000;

interface ReplayOptions {
  ruleId?: string;
  from: Date;
  to: Date;
  states?: ReplayState[];
}

/**
 * The deliveries a replay covers in the given states (default FAILED and SKIPPED). PENDING ones
 * are already queued. A request that could not be rendered has no frozen request (no headers at
 * all: every rendered request has a user-agent) and is never re-sent; a lead the rule's
 * conditions skipped is left out too (it was not meant to be sent; a single Retry on its page
 * still can).
 */
function replayWhere(organizationId: string, opts: ReplayOptions): Prisma.DeliveryWhereInput {
  return {
    organizationId,
    ...(opts.ruleId ? { ruleId: opts.ruleId } : {}),
    createdAt: { gte: opts.from, lte: opts.to },
    state: { in: opts.states?.length ? [...new Set(opts.states)] : DEFAULT_REPLAY_STATES },
    // "not null" too: without it a null skipKind makes the comparison unknown, and NOT unknown
    // would leave every delivery without a skip kind out.
    NOT: [{ requestHeaders: { equals: {} } }, { state: "SKIPPED", skipKind: { not: null, equals: "CONDITIONS" } }],
  };
}

/** How many deliveries replayDeliveries would re-queue now. */
async function countReplayable(prisma: PrismaClient, organizationId: string, opts: ReplayOptions): Promise<number> {
  return prisma.delivery.count({ where: replayWhere(organizationId, opts) });
}

/**
 * Re-queues the organization's deliveries matching `opts`. Another organization's rule id is
 * "not found"; a window holding more than MAX_REPLAY deliveries is refused. Returns how many were
 * re-queued.
 */
export async function replayDeliveries(prisma: PrismaClient, organizationId: string, opts: ReplayOptions, now = new Date()): Promise<{ count: number }> {
  if (!(opts.from.getTime() <= opts.to.getTime())) throw new DomainError("The start of the time range must be before its end.", { from: ["Must be before “To”."] });
  if (opts.ruleId) {
    const rule = await prisma.webhookRule.findFirst({ where: { id: opts.ruleId, organizationId }, select: { id: true } });
    if (!rule) throw new NotFoundError("Rule not found");
  }
  const total = await countReplayable(prisma, organizationId, opts);
  if (total > MAX_REPLAY) throw new DomainError(`That would replay ${total} deliveries; narrow the time range to at most ${MAX_REPLAY} at a time.`);
  return { count: await requeue(prisma, replayWhere(organizationId, opts), now) };
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
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { createdAt: true },
  });
  // Deliveries still queued when it was disabled were skipped by the dispatcher after that.
  const firstSkipped = await prisma.delivery.findFirst({
    where: { organizationId, ruleId, state: "SKIPPED", completedAt: { gte: rule.disabledAt } },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { createdAt: true },
  });
  const from = new Date(Math.min(rule.disabledAt.getTime(), ...[firstFailure, firstSkipped].flatMap((d) => (d ? [d.createdAt.getTime()] : []))));
  return { from, to: now, count: await countReplayable(prisma, organizationId, { ruleId, from, to: now }) };
}
