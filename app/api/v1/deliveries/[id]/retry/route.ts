import { withApiKey } from "@/lib/api/http";
import { retryDelivery } from "@/lib/delivery/log/requeue";

export const dynamic = "force-dynamic";

/** POST /api/v1/deliveries/{id}/retry: queues the delivery again, with its frozen request and id. */
export const POST = withApiKey<{ id: string }>(async (_req, { organizationId, prisma }, { id }) => {
  await retryDelivery(prisma, organizationId, id);
  return Response.json({ id, state: "PENDING" }, { status: 202 });
});
