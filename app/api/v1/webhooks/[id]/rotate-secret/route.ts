import { withApiKey } from "@/lib/api/http";
import { rotateRuleSecret } from "@/lib/signing/rule-secrets";

export const dynamic = "force-dynamic";

/** POST /api/v1/webhooks/{id}/rotate-secret: a new secret, returned once; the previous one signs for 24 h more. */
export const POST = withApiKey<{ id: string }>(async (_req, { organizationId, prisma }, { id }) => {
  const { secret, previousSecretExpiresAt } = await rotateRuleSecret(prisma, organizationId, id, new Date());
  return Response.json({ secret, previousSecretExpiresAt: previousSecretExpiresAt.toISOString() }, { headers: { "Cache-Control": "no-store" } });
});
