import { parseBody, parseQuery, readBody, withApiKey } from "@/lib/api/http";
import { deleteWebhook, updateWebhook } from "@/lib/api/webhooks/mutations";
import { getWebhook } from "@/lib/api/webhooks/queries";
import { deleteQuerySchema, webhookPatchSchema } from "@/lib/api/webhooks/schema";

export const dynamic = "force-dynamic";

/** GET /api/v1/webhooks/{id}. Secrets are never returned. */
export const GET = withApiKey<{ id: string }>(async (_req, { organizationId, prisma }, { id }) => {
  return Response.json(await getWebhook(prisma, organizationId, id));
});

/** PATCH /api/v1/webhooks/{id}: merges the body over the current values and saves like the edit form. */
export const PATCH = withApiKey<{ id: string }>(async (req, { organizationId, prisma }, { id }) => {
  const raw = await readBody(req);
  parseBody(raw, webhookPatchSchema); // the patch's own shape (400 / 422); the merged whole is checked next
  await updateWebhook(prisma, organizationId, id, JSON.parse(raw) as Record<string, unknown>);
  return Response.json(await getWebhook(prisma, organizationId, id));
});

/** DELETE /api/v1/webhooks/{id}: refuses an enabled webhook (409 webhook_enabled) unless ?force=true. */
export const DELETE = withApiKey<{ id: string }>(async (req, { organizationId, prisma }, { id }) => {
  const { force } = parseQuery(req, deleteQuerySchema);
  await deleteWebhook(prisma, organizationId, id, force === "true");
  return new Response(null, { status: 204 });
});
