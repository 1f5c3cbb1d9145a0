import { createHash } from "node:crypto";
import { ApiError, parseBody, readBody, withApiKey, type ApiAnswer, type ApiRequest } from "@/lib/api/http";
import { currentWebhooksNotice, webhooksNotice } from "@/lib/api/organization";
import type { ApiKeyAuth } from "@/lib/api/keys";
import { isUniqueViolation } from "@/lib/db/errors";
import { isGuardFailed } from "@/lib/db/sql";
import { createLead, toSnapshot } from "@/lib/leads/mutations";
import { leadResource } from "@/lib/leads/queries";
import { createLeadSchema } from "@/lib/leads/schema";
import { commitEvents } from "@/lib/outbox/commit";

export const dynamic = "force-dynamic";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const IDEMPOTENCY_COLUMNS = { organizationId: "text", key: "text", requestHash: "text", statusCode: "int", response: "jsonb", createdAt: "timestamp" } as const;

/**
 * POST /api/v1/leads: creates a lead and fires lead.created. Idempotency-Key makes retries safe.
 * The key may be one this process checked a moment ago (withApiKey's `remember`): the insert is
 * then guarded by it (still active, the organization's row unchanged), and when the guard fails
 * the key is checked again and the insert retried. A request that reads first (a replay) checks it.
 */
export const POST = withApiKey<unknown, ApiRequest>(async (req, ctx): Promise<ApiAnswer> => {
  const { prisma, sql } = ctx;
  const key = req.headers.get("idempotency-key");
  if (key !== null && !IDEMPOTENCY_KEY.test(key)) throw new ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1–255 printable ASCII characters.");
  const auth = key ? await ctx.confirm() : ctx;
  const { organizationId } = auth;
  // Read once, within the size limit: the same bytes are hashed for the key and parsed.
  const raw = await readBody(req);
  const requestHash = createHash("sha256").update(raw).digest("hex");

  const replay = async () => {
    const [prior] = await sql.query<{ requestHash: string; statusCode: number; response: unknown }>(
      `SELECT "requestHash", "statusCode", response FROM "IdempotencyKey" WHERE "organizationId" = $1 AND key = $2`,
      [organizationId, key],
      "idempotency-key",
    );
    if (!prior) return null;
    if (prior.requestHash !== requestHash) throw new ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request body.");
    // The stored record names the lead; the answer shows that same lead (never a second one).
    const { leadId } = prior.response as { leadId: string };
    const lead = { ...(await leadResource(prisma, organizationId, leadId)), ...(await currentWebhooksNotice(prisma, organizationId)) };
    return { status: prior.statusCode, body: lead, headers: { "Idempotent-Replayed": "true", Location: `/api/v1/leads/${leadId}` } };
  };
  if (key) {
    const prior = await replay();
    if (prior) return prior;
  }

  const input = parseBody(raw, createLeadSchema);
  const write = (a: ApiKeyAuth) =>
    commitEvents(() =>
      createLead(sql, a.organizationId, input, {
        organization: a.organization,
        guard: a.unconfirmed,
        alongside: (lead) =>
          key ? [{ table: "IdempotencyKey", columns: IDEMPOTENCY_COLUMNS, rows: [{ organizationId, key, requestHash, statusCode: 201, response: { leadId: lead.id }, createdAt: lead.createdAt }] }] : [],
      }),
    );
  let created;
  try {
    created = await write(auth);
  } catch (err) {
    // The remembered key was revoked, or the organization changed since: nothing was written.
    if (isGuardFailed(err)) created = await write(await ctx.confirm());
    else {
      // A concurrent request with the same key won the race: answer with its result.
      if (key && isUniqueViolation(err)) {
        const prior = await replay();
        if (prior) return prior;
      }
      throw err;
    }
  }
  // Built from what the transaction returned (the same shape as GET), without reading it back.
  const body = {
    ...toSnapshot(created.lead),
    notes: [],
    webhooks: created.deliveries.map((d) => ({
      ruleId: d.ruleId, ruleTitle: d.ruleTitle, deliveryId: d.id, event: "lead.created", state: "PENDING",
      attempts: 0, lastStatusCode: null, lastError: null, nextAttemptAt: created.lead.createdAt.toISOString(), updatedAt: created.lead.createdAt.toISOString(),
    })),
    // With the switch off, "webhooks": [] says nothing of why: the answer does.
    ...webhooksNotice(created.webhooksEnabled),
  };
  return { status: 201, body, headers: { Location: `/api/v1/leads/${created.lead.id}` } };
}, { remember: true });
