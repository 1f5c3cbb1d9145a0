import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { ReferenceKind } from "@/lib/generated/prisma/enums";
import { DomainError, NotFoundError } from "@/lib/errors";
import { EVENT_NAMES, type EventName } from "@/lib/events/catalog";
import { newId } from "@/lib/ids";
import type { RuleFormValues, RuleValues } from "@/lib/validations/rule";
import { retryFormFromPolicy, retryPolicyFromForm } from "@/lib/validations/retry-policy-form";

// Creating and editing a webhook rule from the rule form. Everything is scoped to the
// organization: a rule or a reference item of another organization is treated as missing.

type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

const SINGLE_REFERENCES = [
  { field: "statusId", kind: "LEAD_STATUS", message: "Choose a lead status from the list." },
  { field: "substatusId", kind: "LEAD_SUBSTATUS", message: "Choose a substatus from the list." },
  { field: "officeId", kind: "OFFICE", message: "Choose an office from the list." },
  { field: "opportunitySourceId", kind: "OPPORTUNITY_SOURCE", message: "Choose an opportunity source from the list." },
  { field: "marketingSourceId", kind: "MARKETING_SOURCE", message: "Choose a marketing source from the list." },
] as const satisfies readonly { field: keyof RuleValues; kind: ReferenceKind; message: string }[];

/**
 * Checks that every reference item the rule names belongs to the organization and is of the
 * right kind, and that the substatus is one of the chosen status's. Throws a DomainError whose
 * fieldErrors point at the offending fields.
 */
async function assertReferences(tx: Tx, organizationId: string, values: RuleValues): Promise<void> {
  const ids = [...SINGLE_REFERENCES.map(({ field }) => values[field]), ...values.caseTypeIds].filter((id): id is string => !!id);
  if (ids.length === 0) return;
  const found = await tx.referenceItem.findMany({
    where: { organizationId, id: { in: [...new Set(ids)] } },
    select: { id: true, kind: true, parentId: true },
  });
  const byId = new Map(found.map((item) => [item.id, item]));
  const fieldErrors: Record<string, string[]> = {};

  for (const { field, kind, message } of SINGLE_REFERENCES) {
    const id = values[field];
    if (id && byId.get(id)?.kind !== kind) fieldErrors[field] = [message];
  }
  if (values.substatusId && !fieldErrors.substatusId && !fieldErrors.statusId && byId.get(values.substatusId)?.parentId !== values.statusId) {
    fieldErrors.substatusId = ["Choose a substatus of the selected lead status."];
  }
  if (values.caseTypeIds.some((id) => byId.get(id)?.kind !== "CASE_TYPE")) {
    fieldErrors.caseTypeIds = ["Choose case types from the list."];
  }
  if (Object.keys(fieldErrors).length) throw new DomainError("Some choices are no longer available. Please choose again.", fieldErrors);
}

function ruleData(values: RuleValues) {
  return {
    title: values.title,
    enabled: values.enabled,
    url: values.url,
    events: [values.trigger],
    statusId: values.statusId,
    substatusId: values.substatusId,
    officeId: values.officeId,
    opportunitySourceId: values.opportunitySourceId,
    marketingSourceId: values.marketingSourceId,
    requiresCaseTrackerCode: values.requiresCaseTrackerCode,
    timeoutMs: values.timeoutMs,
    signatureScheme: values.signatureScheme,
    retryPolicy: retryPolicyFromForm(values),
  };
}

/** Creates a rule from the form's (parsed) values; returns its id. */
export async function createRule(prisma: PrismaClient, organizationId: string, values: RuleValues): Promise<{ id: string }> {
  return prisma.$transaction(async (tx) => {
    await assertReferences(tx, organizationId, values);
    const id = newId("rule");
    await tx.webhookRule.create({
      data: {
        id,
        organizationId,
        ...ruleData(values),
        caseTypes: { create: values.caseTypeIds.map((caseTypeId) => ({ caseTypeId })) },
      },
    });
    return { id };
  });
}

/**
 * Updates the fields the form edits. The rest of the rule (authentication, headers, mappings,
 * response rules, …) is left as it is; the case types are replaced by the new selection.
 */
export async function updateRule(prisma: PrismaClient, organizationId: string, ruleId: string, values: RuleValues): Promise<{ id: string }> {
  return prisma.$transaction(async (tx) => {
    const existing = await tx.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true } });
    if (!existing) throw new NotFoundError();
    await assertReferences(tx, organizationId, values);
    await tx.webhookRule.update({ where: { id: existing.id }, data: ruleData(values) });
    await tx.ruleCaseType.deleteMany({ where: { ruleId: existing.id } });
    if (values.caseTypeIds.length) {
      await tx.ruleCaseType.createMany({ data: values.caseTypeIds.map((caseTypeId) => ({ ruleId: existing.id, caseTypeId })) });
    }
    return { id: existing.id };
  });
}

export interface RuleForEdit {
  id: string;
  title: string;
  values: RuleFormValues;
  /** Events beyond the first (set through the API); the form edits one trigger. */
  otherEvents: string[];
}

function isEventName(name: string | undefined): name is EventName {
  return !!name && (EVENT_NAMES as readonly string[]).includes(name);
}

/** The rule as the edit form shows it. Throws NotFoundError for an unknown or another org's id. */
export async function getRuleForEdit(prisma: PrismaClient, organizationId: string, ruleId: string): Promise<RuleForEdit> {
  const rule = await prisma.webhookRule.findFirst({
    where: { id: ruleId, organizationId },
    include: { caseTypes: { select: { caseTypeId: true } } },
  });
  if (!rule) throw new NotFoundError();
  const [first, ...otherEvents] = rule.events;
  return {
    id: rule.id,
    title: rule.title,
    otherEvents,
    values: {
      title: rule.title,
      enabled: rule.enabled,
      url: rule.url,
      // An event the catalogue no longer lists is left for the form to flag rather than replaced silently.
      trigger: (isEventName(first) ? first : (first ?? "")) as EventName,
      statusId: rule.statusId ?? "",
      substatusId: rule.substatusId ?? "",
      caseTypeIds: rule.caseTypes.map((c) => c.caseTypeId),
      officeId: rule.officeId ?? "",
      opportunitySourceId: rule.opportunitySourceId ?? "",
      marketingSourceId: rule.marketingSourceId ?? "",
      requiresCaseTrackerCode: rule.requiresCaseTrackerCode,
      timeoutMs: rule.timeoutMs,
      signatureScheme: rule.signatureScheme,
      ...retryFormFromPolicy(rule.retryPolicy),
    },
  };
}
