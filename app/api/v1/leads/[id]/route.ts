import { readJson, withApiKey } from "@/lib/api/http";
import { currentWebhooksNotice } from "@/lib/api/organization";
import { updateLead } from "@/lib/leads/mutations";
import { leadResource } from "@/lib/leads/queries";
import { updateLeadSchema } from "@/lib/leads/schema";
import { commitEvents } from "@/lib/outbox/commit";

export const dynamic = "force-dynamic";

/** GET /api/v1/leads/{id}: the lead with its notes and its deliveries' outcomes per rule. */
export const GET = withApiKey<{ id: string }>(async (_req, { organizationId, prisma }, { id }) => {
  return Response.json({ ...(await leadResource(prisma, organizationId, id)), ...(await currentWebhooksNotice(prisma, organizationId)) });
});

/** PATCH /api/v1/leads/{id}: fires lead.updated, and lead.status_changed when the status changed. */
export const PATCH = withApiKey<{ id: string }>(async (req, { organizationId, prisma }, { id }) => {
  const input = await readJson(req, updateLeadSchema);
  await commitEvents(() => updateLead(prisma, organizationId, id, input));
  return Response.json({ ...(await leadResource(prisma, organizationId, id)), ...(await currentWebhooksNotice(prisma, organizationId)) });
});
