import { withApiKey } from "@/lib/api/http";
import { eventTypes } from "@/lib/api/webhooks/operations";

export const dynamic = "force-dynamic";

/** GET /api/v1/event-types: the events a webhook can subscribe to, each with a sample body. */
export const GET = withApiKey(async (_req, { organizationId, prisma }) => {
  const organization = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { id: true, name: true } });
  return Response.json(eventTypes(organization));
});
