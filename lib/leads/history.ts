import type { PrismaClient } from "@/lib/generated/prisma/client";

export const HISTORY_LIMIT = 100;

/** The lead's events, newest first, with how many deliveries each one queued. */
export async function listLeadEvents(prisma: Pick<PrismaClient, "event">, organizationId: string, leadId: string, take = HISTORY_LIMIT) {
  return prisma.event.findMany({
    where: { organizationId, leadId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take,
    select: { id: true, type: true, createdAt: true, _count: { select: { deliveries: true } } },
  });
}
