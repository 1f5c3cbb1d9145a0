"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/auth/action";
import { deliveryFiltersSchema } from "@/lib/delivery/log/list-params";
import { deliveryListWhere } from "@/lib/delivery/log/queries";
import { retryDelivery, retryFailedDeliveries, sendDuplicateAnyway } from "@/lib/delivery/log/requeue";

// Retries from the delivery log (and the Leads pages). Admins only: the pages hide the buttons
// from viewers, but the check that counts is here. A retry re-queues the existing delivery (same
// id, so the same webhook-id) and wakes the dispatcher, so the caller does not wait for the
// receiver.

const deliveryRef = z.object({ deliveryId: z.string().trim().min(1).max(100) });

export const retryDeliveryAction = authedAction({ schema: deliveryRef, role: "ADMIN" }, async ({ deliveryId }, { prisma, organizationId }) => {
  await retryDelivery(prisma, organizationId, deliveryId);
  revalidatePath("/deliveries");
  revalidatePath(`/deliveries/${deliveryId}`);
  return { deliveryId };
});

/** "Send anyway": a delivery skipped as a duplicate is sent without the duplicate check. */
export const sendAnywayAction = authedAction({ schema: deliveryRef, role: "ADMIN" }, async ({ deliveryId }, { prisma, organizationId }) => {
  await sendDuplicateAnyway(prisma, organizationId, deliveryId);
  revalidatePath("/deliveries");
  revalidatePath(`/deliveries/${deliveryId}`);
  return { deliveryId };
});

/** Re-queues every FAILED delivery matching the list's current filters; returns how many. */
export const retryFailedAction = authedAction({ schema: deliveryFiltersSchema, role: "ADMIN" }, async (filters, { prisma, organizationId }) => {
  const count = await retryFailedDeliveries(prisma, organizationId, deliveryListWhere(organizationId, filters));
  revalidatePath("/deliveries");
  return { count };
});
