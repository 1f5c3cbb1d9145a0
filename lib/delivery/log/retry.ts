import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { DomainError, NotFoundError } from "@/lib/core/errors";

// A retry re-sends the frozen request under the same delivery id (so the same webhook-id): it
// puts the delivery back in the queue, due now. It never creates a lead, an event or a delivery.

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
  const { count } = await prisma.delivery.updateMany({
    where: { AND: [{ id: deliveryId, organizationId }, retryableNow(now)] },
    data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null },
  });
  if (count) return;
  const exists = await prisma.delivery.findFirst({ where: { id: deliveryId, organizationId }, select: { id: true } });
  if (!exists) throw new NotFoundError("Delivery not found");
  throw new DomainError("This delivery is being sent right now. Retry it once this attempt has finished.");
}

/** Re-queues every FAILED delivery of the organization that matches `where`; returns how many. */
export async function retryFailedDeliveries(prisma: PrismaClient, organizationId: string, where: Prisma.DeliveryWhereInput = {}, now = new Date()): Promise<number> {
  const { count } = await prisma.delivery.updateMany({
    where: { AND: [where, { organizationId, state: "FAILED" }] },
    data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null },
  });
  return count;
}
