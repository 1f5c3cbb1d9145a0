import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import type { ReferenceKind } from "@/lib/generated/prisma/enums";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { unstorableTextReason } from "@/lib/core/storable";
import type { EventName } from "@/lib/domain/event-types";
import type { Rule, RuleRow } from "@/lib/domain/rule";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { pauseOf, type Pause } from "@/lib/domain/rule/circuit";
import { deliveryLimitsColumn, parseDeliveryLimits } from "@/lib/domain/rule/limits";
import { storedTimeWindowSchema } from "@/lib/domain/rule/request";
import { batchFormValues, storedBatch } from "@/lib/domain/rule/batch";
import { CHAIN_MESSAGES, chainLoop, loopMessage, parseFallbackOn } from "@/lib/domain/rule/chain";
import { duplicateFormValues, storedDuplicateSuppression } from "@/lib/domain/rule/duplicates";
import { newId } from "@/lib/core/ids";
import type { SecretField } from "@/lib/rules/form/credentials";
import { authConfigFromForm, authFormFromConfig } from "@/lib/rules/form/credentials-mapping";
import type { RuleFormValues, RuleValues } from "@/lib/rules/form/rule";
import { decryptAuthConfig, encryptAuthConfig, StoredAuthError } from "../delivery/transport/auth/credentials";
import { templateProblems } from "./template-problems";
import { releaseHeld } from "../delivery/log/requeue";
import { HEALTH_RESET } from "../health/rule-health";
import { requestColumnsFromForm, requestFormFromRow, responseFormFromRow, responseRulesFromForm } from "./form/endpoint-mapping";
import { retryFormFromPolicy, retryPolicyFromForm } from "@/lib/rules/form/retry";
import { limitsUse, limitsUseSelect, type LimitsUse } from "./usage";
import { destinationErrors, destinationsOf, withoutUrlCredentials, type Destinations } from "./destinations";

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
/** Templates (URL, body, mapping) parse and render for a sample lead, or the form hears why. */
function assertTemplates(values: RuleValues): void {
  const problems = templateProblems(values, values.events[0]);
  if (Object.keys(problems).length) throw new DomainError("Some templates have errors. Please correct them.", problems);
}

/** Every URL the rule calls leads to an address Leadhooks may call (after DNS), or the form hears which does not. */
async function assertDestinations(values: RuleValues, before: Destinations | null): Promise<void> {
  const errors = await destinationErrors(values, { before });
  if (Object.keys(errors).length) throw new DomainError("Some URLs lead to addresses Leadhooks does not call. Please correct them.", errors);
}

/** The outbound URLs a stored rule calls, as destinationsOf reads them from the form. */
function storedDestinations(row: Pick<RuleRow, "url" | "timeWindow" | "authType" | "authConfigEncrypted">): Destinations {
  const window = storedTimeWindowSchema.parse(row.timeWindow);
  const auth = readableAuth(row.authType, row.authConfigEncrypted);
  return destinationsOf({
    url: row.url,
    timeWindow: window ? { ...window, enabled: true } : { enabled: false, outside: "wait", alternateUrl: "" },
    auth: { type: row.authType, tokenUrl: auth?.type === "OAUTH2" ? auth.tokenUrl : "" },
  });
}

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

/**
 * The fallback and linked rules are other rules of the organization, and following them from this
 * rule (with its new choices) never comes back to it. `ruleId`: the rule being edited (null: a new
 * rule, which no other rule can name yet, so it closes no loop).
 */
async function assertChain(tx: Tx, organizationId: string, ruleId: string | null, values: RuleValues): Promise<void> {
  const chosen = (["fallbackRuleId", "linkedRuleId"] as const).filter((field) => values[field]);
  if (!chosen.length) return;
  // One chain check at a time per organization (until this transaction ends): two saves at once
  // (A → B and B → A) would each see no loop without the other's change.
  await tx.$queryRaw`SELECT 1 FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
  const rules = await tx.webhookRule.findMany({ where: { organizationId }, select: { id: true, title: true, fallbackRuleId: true, linkedRuleId: true } });
  const fieldErrors: Record<string, string[]> = {};
  for (const field of chosen) {
    const id = values[field];
    if (id === ruleId) fieldErrors[field] = [CHAIN_MESSAGES.self];
    else if (!rules.some((r) => r.id === id)) fieldErrors[field] = [CHAIN_MESSAGES.unknown];
  }
  if (Object.keys(fieldErrors).length) throw new DomainError("Some chosen rules cannot get the lead. Please choose again.", fieldErrors);
  if (!ruleId) return;
  const loop = chainLoop({ id: ruleId, fallbackRuleId: values.fallbackRuleId, linkedRuleId: values.linkedRuleId }, rules);
  if (!loop) return;
  const titles = loop.map((id) => (id === ruleId ? values.title : (rules.find((r) => r.id === id)?.title ?? id)));
  const message = loopMessage(titles);
  // The error goes on the choice the loop leaves this rule through.
  throw new DomainError(message, { [values.fallbackRuleId === loop[1] ? "fallbackRuleId" : "linkedRuleId"]: [message] });
}

function ruleData(values: RuleValues, auth: AuthConfig) {
  return {
    title: values.title,
    enabled: values.enabled,
    url: values.url,
    events: values.events,
    statusId: values.statusId,
    substatusId: values.substatusId,
    officeId: values.officeId,
    opportunitySourceId: values.opportunitySourceId,
    marketingSourceId: values.marketingSourceId,
    requiresCaseTrackerCode: values.requiresCaseTrackerCode,
    timeoutMs: values.timeoutMs,
    signatureScheme: values.signatureScheme,
    retryPolicy: retryPolicyFromForm(values),
    authType: auth.type,
    authConfigEncrypted: encryptAuthConfig(auth),
    ...requestColumnsFromForm(values),
    responseRules: responseRulesFromForm(values) as Prisma.InputJsonValue,
    duplicateSuppression: storedDuplicateSuppression(values.duplicates) ?? Prisma.DbNull,
    deliveryLimits: deliveryLimitsColumn(values.limits) ?? Prisma.DbNull,
    orderedPerLead: values.orderedPerLead,
    batch: storedBatch(values.batch) ?? Prisma.DbNull,
    fallbackRuleId: values.fallbackRuleId,
    linkedRuleId: values.linkedRuleId,
    fallbackOn: values.fallbackOn,
  };
}

/** Creates a rule from the form's (parsed) values; returns its id. */
export async function createRule(prisma: PrismaClient, organizationId: string, values: RuleValues, lastTest: LastTest | null = null): Promise<{ id: string }> {
  assertTemplates(values);
  await assertDestinations(values, null);
  return prisma.$transaction(async (tx) => {
    await assertReferences(tx, organizationId, values);
    await assertChain(tx, organizationId, null, values);
    const id = newId("rule");
    await tx.webhookRule.create({
      data: {
        id,
        organizationId,
        ...ruleData(values, authConfigFromForm(values.auth, null)),
        ...(lastTest ? { lastTestedAt: new Date(lastTest.at), lastTestResult: { ok: lastTest.ok, status: lastTest.status, title: lastTest.title } } : {}),
        caseTypes: { create: values.caseTypeIds.map((caseTypeId) => ({ caseTypeId })) },
      },
    });
    return { id };
  });
}

/** Updates everything the form edits; the case types are replaced by the new selection. */
export async function updateRule(prisma: PrismaClient, organizationId: string, ruleId: string, values: RuleValues): Promise<{ id: string }> {
  assertTemplates(values);
  // Outside the transaction: DNS may take seconds, and PGlite has one connection.
  const stored = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { url: true, timeWindow: true, authType: true, authConfigEncrypted: true, deliveryLimits: true } });
  if (!stored) throw new NotFoundError();
  await assertDestinations(values, storedDestinations(stored));
  const saved = await prisma.$transaction(async (tx) => {
    const existing = await tx.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true, enabled: true, authType: true, authConfigEncrypted: true } });
    if (!existing) throw new NotFoundError();
    await assertReferences(tx, organizationId, values);
    await assertChain(tx, organizationId, existing.id, values);
    // Blank secret fields keep the stored secrets (the form never receives them).
    const auth = authConfigFromForm(values.auth, readableAuth(existing.authType, existing.authConfigEncrypted));
    // Enabling a disabled rule from the form starts its failure streak afresh, as the list's toggle does.
    const reset = values.enabled && !existing.enabled ? HEALTH_RESET : {};
    const { timeWindow } = await tx.webhookRule.update({ where: { id: existing.id }, data: { ...ruleData(values, auth), ...reset }, select: { timeWindow: true } });
    await tx.ruleCaseType.deleteMany({ where: { ruleId: existing.id } });
    if (values.caseTypeIds.length) {
      await tx.ruleCaseType.createMany({ data: values.caseTypeIds.map((caseTypeId) => ({ ruleId: existing.id, caseTypeId })) });
    }
    return { id: existing.id, timeWindow };
  });
  // New caps, rate limit or sending window: what the old ones held is weighed against them now.
  const limits = JSON.stringify(parseDeliveryLimits(stored.deliveryLimits)) !== JSON.stringify(parseDeliveryLimits(deliveryLimitsColumn(values.limits)));
  const window = JSON.stringify(stored.timeWindow) !== JSON.stringify(saved.timeWindow);
  if (limits || window) await releaseHeld(prisma, organizationId, saved.id, { limits, window });
  return { id: saved.id };
}

export interface RuleForEdit extends Pick<Rule, "id" | "title"> {
  values: RuleFormValues;
  /** Which authentication secrets are stored (the form shows them as set, never their values). */
  storedSecrets: SecretField[];
  lastTest: LastTest | null;
  /** Why and when the rule was disabled automatically (failures, 410), while it stays disabled. */
  disabled: { reason: string; at: string | null } | null;
  /** The circuit breaker's pause, while it lasts. */
  paused: Pause | null;
  /** The rule's caps and rate limit with their use now; null: none. */
  limits: LimitsUse | null;
}

/** The last Test Connection result, as the Authentication tab shows it. */
export interface LastTest {
  at: string;
  ok: boolean;
  status: number;
  title: string;
}

export function lastTestFrom(at: Date | null, result: unknown): LastTest | null {
  if (!at || !result || typeof result !== "object") return null;
  const r = result as Partial<LastTest>;
  return { at: at.toISOString(), ok: r.ok === true, status: typeof r.status === "number" ? r.status : 0, title: typeof r.title === "string" ? r.title : "" };
}

/**
 * The Authentication tab's values. Credentials that can no longer be read (APP_SECRET_KEY
 * changed) open as blank, to be entered again, rather than making the rule uneditable.
 */
/** The stored credentials, or null when they can no longer be read (they must be entered again). */
function readableAuth(type: AuthConfig["type"], encrypted: string | null): AuthConfig | null {
  try {
    return decryptAuthConfig(type, encrypted);
  } catch (err) {
    if (err instanceof StoredAuthError) return null;
    throw err;
  }
}

function storedAuthForm(type: AuthConfig["type"], encrypted: string | null) {
  const stored = readableAuth(type, encrypted);
  return stored ? authFormFromConfig(stored) : { values: { ...authFormFromConfig(null).values, type }, storedSecrets: [] };
}

/** The rule as the edit form shows it. Throws NotFoundError for an unknown or another org's id. */
export async function getRuleForEdit(prisma: PrismaClient, organizationId: string, ruleId: string): Promise<RuleForEdit> {
  if (unstorableTextReason(ruleId)) throw new NotFoundError(); // /rules/%00: no such id, not a database error
  const rule = await prisma.webhookRule.findFirst({
    where: { id: ruleId, organizationId },
    include: { caseTypes: { select: { caseTypeId: true } }, usage: limitsUseSelect.usage },
  });
  if (!rule) throw new NotFoundError();
  const auth = storedAuthForm(rule.authType, rule.authConfigEncrypted);
  return {
    id: rule.id,
    title: rule.title,
    storedSecrets: auth.storedSecrets,
    lastTest: lastTestFrom(rule.lastTestedAt, rule.lastTestResult),
    disabled: !rule.enabled && rule.disabledReason ? { reason: rule.disabledReason, at: rule.disabledAt?.toISOString() ?? null } : null,
    paused: pauseOf(rule, new Date()),
    limits: limitsUse(rule, new Date()),
    // A password written into a URL before such URLs were refused is never shown again.
    values: withoutUrlCredentials({
      title: rule.title,
      enabled: rule.enabled,
      url: rule.url,
      // An event the catalogue no longer lists is left for the form to flag rather than dropped silently.
      events: rule.events as EventName[],
      statusId: rule.statusId ?? "",
      substatusId: rule.substatusId ?? "",
      caseTypeIds: rule.caseTypes.map((c) => c.caseTypeId),
      officeId: rule.officeId ?? "",
      opportunitySourceId: rule.opportunitySourceId ?? "",
      marketingSourceId: rule.marketingSourceId ?? "",
      requiresCaseTrackerCode: rule.requiresCaseTrackerCode,
      timeoutMs: rule.timeoutMs,
      signatureScheme: rule.signatureScheme,
      duplicates: duplicateFormValues(rule.duplicateSuppression),
      ...retryFormFromPolicy(rule.retryPolicy),
      auth: auth.values,
      ...requestFormFromRow(rule),
      ...responseFormFromRow(rule.responseRules),
      limits: parseDeliveryLimits(rule.deliveryLimits),
      orderedPerLead: rule.orderedPerLead,
      batch: batchFormValues(rule.batch),
      fallbackRuleId: rule.fallbackRuleId ?? "",
      linkedRuleId: rule.linkedRuleId ?? "",
      fallbackOn: parseFallbackOn(rule.fallbackOn),
    }),
  };
}
