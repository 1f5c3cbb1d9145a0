import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { DomainError, NotFoundError } from "@/lib/errors";

// A retry re-sends the frozen request under the same delivery id (so the same webhook-id): it
// puts the delivery back in the queue, due now. It never creates a lead, an event or a delivery.

const RETRYABLE = { in: ["FAILED", "SKIPPED", "PENDING"] as ("FAILED" | "SKIPPED" | "PENDING")[] };

export async function retryDelivery(prisma: PrismaClient, organizationId: string, deliveryId: string, now = new Date()): Promise<void> {
  const unrendered = await prisma.delivery.count({ where: { id: deliveryId, organizationId, requestHeaders: { equals: {} } } });
  // A request that could not be rendered has nothing frozen to send.
  if (unrendered) throw new DomainError("This delivery has no request to send: its request could not be rendered. Fix the rule; new events use the fix.");
  const { count } = await prisma.delivery.updateMany({
    where: { id: deliveryId, organizationId, state: RETRYABLE },
    data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null },
  });
  if (!count) {
    const exists = await prisma.delivery.findFirst({ where: { id: deliveryId, organizationId }, select: { id: true } });
    if (!exists) throw new NotFoundError("Delivery not found");
    // SUCCEEDED deliveries are re-sent too when an admin asks: the receiver dedupes on webhook-id.
    await prisma.delivery.update({
      where: { id: deliveryId },
      data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null },
    });
  }
}

/** Re-queues every FAILED delivery of the organization that matches `where`; returns how many. */
export async function retryFailedDeliveries(prisma: PrismaClient, organizationId: string, where: Prisma.DeliveryWhereInput = {}, now = new Date()): Promise<number> {
  const { count } = await prisma.delivery.updateMany({
    where: { AND: [where, { organizationId, state: "FAILED" }] },
    data: { state: "PENDING", nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, completedAt: null },
  });
  return count;
}
