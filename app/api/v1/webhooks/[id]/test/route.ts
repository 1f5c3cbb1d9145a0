import { parseBody, readBody, withApiKey } from "@/lib/api/http";
import { testSendBodySchema } from "@/lib/api/webhooks/test-send";
import { outbound } from "@/lib/delivery/engine/runtime";
import { sendTestLead } from "@/lib/rules/test-send";

export const dynamic = "force-dynamic";

/** POST /api/v1/webhooks/{id}/test: sends a test lead through the webhook now and answers with the request, the response and the verdict. */
export const POST = withApiKey<{ id: string }>(async (req, { organizationId, prisma, sql }, { id }) => {
  // No body at all: the sample lead to the webhook's URL.
  const raw = await readBody(req);
  const body = parseBody(raw.trim() ? raw : "{}", testSendBodySchema);
  return Response.json(await sendTestLead(prisma, sql, organizationId, { ruleId: id, leadId: body.leadId, url: body.url }, outbound()));
});
