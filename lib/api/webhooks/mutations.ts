import type { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/core/env";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { getReferenceLists } from "@/lib/reference/queries";
import { HEALTH_RESET } from "@/lib/health/rule-health";
import { createRule, updateRule } from "@/lib/rules/mutations";
import { generateRuleSecret, setRuleSecret } from "@/lib/signing/rule-secrets";
import { deleteRuleChecked, RuleInChainError } from "@/lib/rules/status";
import { ruleSchema, type RuleValues } from "@/lib/rules/form/rule";
import { fieldErrorsOf } from "@/lib/core/field-errors";
import { ApiError } from "../http";
import { apiFieldErrors, toRuleInput } from "./convert";
import { mergePatch } from "./patch";
import { currentWebhook } from "./queries";
import { resolveReferences } from "./references";
import { webhookCreateSchema, type WebhookValues } from "./schema";

// Creating, changing and deleting webhooks through the API. The values go through the rule
// form's schema and mutations, so the API enforces every rule the form does; errors come back
// under the API's field names.

const invalid = (fields: Record<string, string[]>) => new ApiError(422, "validation_failed", "Some fields are invalid.", fields);

/** The API values as the form's parsed values, or a 422 naming every field that is wrong. */
async function toRuleValues(prisma: PrismaClient, organizationId: string, v: WebhookValues): Promise<RuleValues> {
  const { ids, errors } = resolveReferences(v.creationRules, await getReferenceLists(prisma, organizationId));
  const parsed = ruleSchema({ allowInsecureUrls: env().ALLOW_INSECURE_URLS }).safeParse(toRuleInput(v, ids));
  const fields = { ...errors, ...(parsed.success ? {} : apiFieldErrors(fieldErrorsOf(parsed.error.issues, "_body"))) };
  if (Object.keys(fields).length || !parsed.success) throw invalid(fields);
  return parsed.data;
}

/** Runs one of the form's mutations, re-keying its field errors to the API's paths. */
async function asApi<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError) throw new ApiError(422, "validation_failed", err.message, err.fieldErrors ? apiFieldErrors(err.fieldErrors) : undefined);
    throw err;
  }
}

/** POST /api/v1/webhooks: the rule plus its own signing secret, returned to the caller once. */
export async function createWebhook(prisma: PrismaClient, organizationId: string, body: WebhookValues): Promise<{ id: string; secret: string }> {
  const values = await toRuleValues(prisma, organizationId, body);
  const { id } = await asApi(() => createRule(prisma, organizationId, values));
  const secret = generateRuleSecret();
  try {
    await setRuleSecret(prisma, organizationId, id, secret);
  } catch (err) {
    // The caller never gets this webhook's secret: it must not stay behind signing with the
    // organization's key unnoticed.
    await prisma.webhookRule.deleteMany({ where: { id, organizationId } });
    throw err;
  }
  return { id, secret };
}

/**
 * PATCH /api/v1/webhooks/{id}: `patch` (already checked against webhookPatchSchema) merged over
 * the current values, then validated and saved like the edit form. Enabling a disabled webhook
 * clears its disable and failure streak, as enabling it in the admin does.
 */
export async function updateWebhook(prisma: PrismaClient, organizationId: string, id: string, patch: Record<string, unknown>, now = new Date()): Promise<void> {
  const current = await currentWebhook(prisma, organizationId, id);
  const merged = webhookCreateSchema.safeParse(mergePatch(current.values, patch, { whole: ["retryPolicy"] }));
  if (!merged.success) throw invalid(fieldErrorsOf(merged.error.issues, "_body"));
  const values = await toRuleValues(prisma, organizationId, merged.data);
  await asApi(() => updateRule(prisma, organizationId, id, values));
  if (values.enabled && !current.enabled) await prisma.webhookRule.updateMany({ where: { id, organizationId }, data: HEALTH_RESET });
  if (!values.enabled && current.enabled) await prisma.webhookRule.updateMany({ where: { id, organizationId }, data: { disabledAt: now } });
}

export const WEBHOOK_ENABLED_MESSAGE = "The webhook is enabled. Disable it first (PATCH with {\"enabled\": false}) or delete it with ?force=true.";

/** DELETE /api/v1/webhooks/{id}: an enabled webhook only with force (the admin asks to disable first). */
export async function deleteWebhook(prisma: PrismaClient, organizationId: string, id: string, force: boolean): Promise<void> {
  try {
    await deleteRuleChecked(prisma, organizationId, id, force ? "any" : "disabled");
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError("Webhook not found");
    if (err instanceof RuleInChainError) throw new ApiError(409, "webhook_in_chain", err.message);
    if (err instanceof DomainError) throw new ApiError(409, "webhook_enabled", WEBHOOK_ENABLED_MESSAGE);
    throw err;
  }
}
