import { parseQuery, readJson, withApiKey } from "@/lib/api/http";
import { pageQuerySchema } from "@/lib/api/pagination";
import { createWebhook } from "@/lib/api/webhooks/mutations";
import { getWebhook, listWebhooks } from "@/lib/api/webhooks/queries";
import { webhookCreateSchema } from "@/lib/api/webhooks/schema";

export const dynamic = "force-dynamic";

/** GET /api/v1/webhooks: the organization's webhooks, newest first, paginated. */
export const GET = withApiKey(async (req, { organizationId, prisma }) => {
  return Response.json(await listWebhooks(prisma, organizationId, parseQuery(req, pageQuerySchema)));
});

/** POST /api/v1/webhooks: creates a webhook; the answer carries its signing secret, this once. */
export const POST = withApiKey(async (req, { organizationId, prisma }) => {
  const body = await readJson(req, webhookCreateSchema);
  const { id, secret } = await createWebhook(prisma, organizationId, body);
  const webhook = await getWebhook(prisma, organizationId, id);
  return Response.json({ ...webhook, secret }, { status: 201, headers: { Location: `/api/v1/webhooks/${id}`, "Cache-Control": "no-store" } });
});
