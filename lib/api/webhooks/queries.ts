import type { PrismaClient } from "@/lib/generated/prisma/client";
import { NotFoundError } from "@/lib/core/errors";
import { circuitOf } from "@/lib/domain/rule/circuit";
import { getReferenceLists, type ReferenceLists } from "@/lib/reference/queries";
import { getRuleForEdit, type RuleForEdit } from "@/lib/rules/mutations";
import type { SecretField } from "@/lib/rules/form/credentials";
import { pageArgs, pageOf, type PageQuery } from "../pagination";
import { fromRuleValues } from "./convert";
import { referenceNames } from "./references";
import type { AuthenticationOutput, Webhook, WebhookValues } from "./schema";

// Reading webhooks for the API. A webhook's values come from the rule form's own reader
// (getRuleForEdit), so the API shows exactly what the form would; every query is scoped to the
// organization, and another organization's id is "not found".

const rowSelect = {
  id: true,
  createdAt: true,
  updatedAt: true,
  disabledReason: true,
  disabledAt: true,
  pausedUntil: true,
  pauseReason: true,
  signingSecretEncrypted: true,
  previousSecretExpiresAt: true,
} as const;

interface RuleRow {
  id: string;
  createdAt: Date;
  updatedAt: Date;
  disabledReason: string | null;
  disabledAt: Date | null;
  pausedUntil: Date | null;
  pauseReason: string | null;
  signingSecretEncrypted: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The API values of a rule as the form shows it (secrets blank), creation rules by name. */
export function webhookValues(edit: RuleForEdit, lists: ReferenceLists): WebhookValues {
  const v = edit.values;
  const names = referenceNames(
    {
      statusId: v.statusId || null,
      substatusId: v.substatusId || null,
      caseTypeIds: v.caseTypeIds,
      officeId: v.officeId || null,
      opportunitySourceId: v.opportunitySourceId || null,
      marketingSourceId: v.marketingSourceId || null,
    },
    lists,
  );
  return fromRuleValues(v, { ...names, requiresCaseTrackerCode: v.requiresCaseTrackerCode });
}

/** The authentication settings without secrets: only the fields its type uses, and which secrets are stored. */
export function publicAuthentication(a: WebhookValues["authentication"], secretsSet: SecretField[]): AuthenticationOutput {
  switch (a.type) {
    case "NONE":
      return { type: a.type, secretsSet };
    case "BASIC":
    case "DIGEST":
      return { type: a.type, username: a.username, secretsSet };
    case "OAUTH2":
      return {
        type: a.type, tokenUrl: a.tokenUrl, grantType: a.grantType, clientId: a.clientId,
        ...(a.grantType === "password" ? { username: a.username } : {}),
        scope: a.scope, audience: a.audience, clientAuth: a.clientAuth, secretsSet,
      };
    case "BEARER":
      return { type: a.type, prefix: a.prefix, secretsSet };
    case "API_KEY":
      return { type: a.type, keyName: a.keyName, keyIn: a.keyIn, secretsSet };
  }
}

function toResource(row: RuleRow, edit: RuleForEdit, lists: ReferenceLists, now: Date): Webhook {
  const values = webhookValues(edit, lists);
  const grace = row.signingSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt.toISOString() : null;
  return {
    id: row.id,
    ...values,
    authentication: publicAuthentication(values.authentication, edit.storedSecrets),
    signing: { ownSecret: !!row.signingSecretEncrypted, previousSecretExpiresAt: grace },
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    circuit: circuitOf(row, now),
    usage: edit.limits && { caps: edit.limits.caps.map((c) => ({ ...c, resetsAt: c.resetsAt.toISOString() })), timeZone: edit.limits.timeZone },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** GET /api/v1/webhooks/{id}. */
export async function getWebhook(prisma: PrismaClient, organizationId: string, id: string, now = new Date()): Promise<Webhook> {
  const row = await prisma.webhookRule.findFirst({ where: { id, organizationId }, select: rowSelect });
  if (!row) throw new NotFoundError("Webhook not found");
  const [edit, lists] = await Promise.all([getRuleForEdit(prisma, organizationId, id), getReferenceLists(prisma, organizationId)]);
  return toResource(row, edit, lists, now);
}

/** GET /api/v1/webhooks: newest first. */
export async function listWebhooks(prisma: PrismaClient, organizationId: string, q: PageQuery, now = new Date()): Promise<{ data: Webhook[]; nextCursor: string | null }> {
  const args = pageArgs(q);
  const found = await prisma.webhookRule.findMany({ ...args, where: { organizationId, ...args.where }, select: rowSelect });
  const { rows, nextCursor } = pageOf(found, q);
  const lists = await getReferenceLists(prisma, organizationId);
  const data: Webhook[] = [];
  // One rule at a time: the form's reader decrypts each rule's credentials to list what is stored.
  for (const row of rows) data.push(toResource(row, await getRuleForEdit(prisma, organizationId, row.id), lists, now));
  return { data, nextCursor };
}

/** The webhook's current API values and state, what a PATCH merges over. */
export async function currentWebhook(prisma: PrismaClient, organizationId: string, id: string): Promise<{ values: WebhookValues; enabled: boolean }> {
  const [edit, lists] = await Promise.all([getRuleForEdit(prisma, organizationId, id), getReferenceLists(prisma, organizationId)]);
  return { values: webhookValues(edit, lists), enabled: edit.values.enabled };
}
