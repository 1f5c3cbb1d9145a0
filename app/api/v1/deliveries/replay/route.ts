import { readJson, withApiKey } from "@/lib/api/http";
import { replayBodySchema } from "@/lib/api/webhooks/operations";
import { replayDeliveries } from "@/lib/delivery/log/requeue";
import { NotFoundError } from "@/lib/core/errors";

export const dynamic = "force-dynamic";

/** POST /api/v1/deliveries/replay: re-queues the deliveries of a webhook (or all) created in a time window. */
export const POST = withApiKey(async (req, { organizationId, prisma }) => {
  const body = await readJson(req, replayBodySchema);
  let count: number;
  try {
    ({ count } = await replayDeliveries(prisma, organizationId, { ruleId: body.webhookId, from: new Date(body.from), to: new Date(body.to), states: body.states }));
  } catch (err) {
    throw err instanceof NotFoundError ? new NotFoundError("Webhook not found") : err;
  }
  return Response.json({ count }, { status: 202 });
});
