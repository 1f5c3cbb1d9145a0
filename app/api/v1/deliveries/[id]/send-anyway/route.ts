import { withApiKey } from "@/lib/api/http";
import { sendDuplicateAnyway } from "@/lib/delivery/log/requeue";

export const dynamic = "force-dynamic";

/** POST /api/v1/deliveries/{id}/send-anyway: queues a delivery skipped as a duplicate, without the duplicate check. */
export const POST = withApiKey<{ id: string }>(async (_req, { organizationId, prisma }, { id }) => {
  await sendDuplicateAnyway(prisma, organizationId, id);
  return Response.json({ id, state: "PENDING" }, { status: 202 });
});
