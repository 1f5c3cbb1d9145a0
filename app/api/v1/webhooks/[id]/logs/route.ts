import { parseQuery, withApiKey } from "@/lib/api/http";
import { listWebhookLogs, logsQuerySchema } from "@/lib/api/webhooks/logs";

export const dynamic = "force-dynamic";

/** GET /api/v1/webhooks/{id}/logs: deliveries with their attempts, filtered and paginated. */
export const GET = withApiKey<{ id: string }>(async (req, { organizationId, prisma }, { id }) => {
  return Response.json(await listWebhookLogs(prisma, organizationId, id, parseQuery(req, logsQuerySchema)));
});
