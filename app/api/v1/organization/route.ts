import { readJson, withApiKey } from "@/lib/api/http";
import { getOrganization, organizationPatchSchema, updateOrganization } from "@/lib/api/organization";

export const dynamic = "force-dynamic";

/** GET /api/v1/organization: the API key's organization and its Enable Webhooks switch. */
export const GET = withApiKey(async (_req, { organizationId, prisma }) => {
  return Response.json(await getOrganization(prisma, organizationId));
});

/** PATCH /api/v1/organization: renames the organization or turns its webhooks on or off. */
export const PATCH = withApiKey(async (req, { organizationId, prisma }) => {
  const input = await readJson(req, organizationPatchSchema);
  return Response.json(await updateOrganization(prisma, organizationId, input));
});
