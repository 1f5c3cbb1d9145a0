import { retryFormFromPolicy, retryPolicyFromForm } from "@/lib/rules/form/retry";
import type { RuleFormValues, RuleInput } from "@/lib/rules/form/rule";
import type { ReferenceIds } from "./references";
import type { WebhookValues } from "./schema";

// The one place where the API's webhook meets the rule form's values: API values → the form's
// input (then parsed by ruleSchema and saved by the form's mutations), the form's values → API
// values, and the form's field paths → API paths for 422 field errors.

/** The rule form's input for API values whose reference names are already resolved to ids. */
export function toRuleInput(v: WebhookValues, refs: ReferenceIds): RuleInput {
  const { request: q, response: r } = v;
  return {
    title: v.title,
    enabled: v.enabled,
    url: v.url,
    events: v.events,
    ...refs,
    requiresCaseTrackerCode: v.creationRules.requiresCaseTrackerCode,
    timeoutMs: v.timeoutMs,
    signatureScheme: v.signatureScheme,
    duplicates: v.duplicates,
    ...retryFormFromPolicy(v.retryPolicy),
    auth: v.authentication,
    method: q.method,
    headers: q.headers,
    mappingMode: q.mapping.mode,
    fieldMappings: q.mapping.fields,
    payloadFormat: q.format,
    wrapInEnvelope: q.wrapInEnvelope,
    payloadTemplate: q.template,
    conditionMatch: q.conditions.match,
    conditions: q.conditions.items,
    timeWindow: q.timeWindow,
    successStatuses: r.successStatuses,
    bodyCondition: r.bodyCondition,
    responseParsers: r.parsers,
    errorParser: r.errorParser,
    limits: v.limits,
    orderedPerLead: v.orderedPerLead,
    batch: v.batch,
    fallbackRuleId: v.fallbackRuleId,
    linkedRuleId: v.linkedRuleId,
    fallbackOn: v.fallbackOn,
  };
}

/**
 * API values for a rule as the form shows it (secrets blank: the form never holds them), with
 * the creation rules given as names by the caller.
 */
export function fromRuleValues(values: RuleFormValues, creationRules: WebhookValues["creationRules"]): WebhookValues {
  return {
    title: values.title,
    enabled: values.enabled,
    url: values.url,
    // Stored events are as saved; one the catalogue no longer lists is reported when a PATCH parses them again.
    events: values.events,
    creationRules,
    authentication: values.auth,
    request: {
      method: values.method,
      headers: values.headers,
      mapping: { mode: values.mappingMode, fields: values.fieldMappings },
      format: values.payloadFormat,
      template: values.payloadTemplate,
      wrapInEnvelope: values.wrapInEnvelope,
      conditions: { match: values.conditionMatch, items: values.conditions },
      timeWindow: values.timeWindow,
    },
    response: {
      successStatuses: values.successStatuses,
      bodyCondition: values.bodyCondition,
      parsers: values.responseParsers,
      errorParser: values.errorParser,
    },
    retryPolicy: retryPolicyFromForm(values),
    timeoutMs: values.timeoutMs,
    signatureScheme: values.signatureScheme,
    duplicates: { ...values.duplicates, field: values.duplicates.field || null },
    limits: values.limits,
    orderedPerLead: values.orderedPerLead,
    batch: values.batch,
    fallbackRuleId: values.fallbackRuleId || null,
    linkedRuleId: values.linkedRuleId || null,
    fallbackOn: values.fallbackOn,
  };
}

/** Where each of the form's fields lives in the API's webhook. */
const API_PATHS: Record<string, string> = {
  trigger: "events",
  events: "events",
  statusId: "creationRules.status",
  substatusId: "creationRules.substatus",
  caseTypeIds: "creationRules.caseTypes",
  officeId: "creationRules.office",
  opportunitySourceId: "creationRules.opportunitySource",
  marketingSourceId: "creationRules.marketingSource",
  requiresCaseTrackerCode: "creationRules.requiresCaseTrackerCode",
  retryKind: "retryPolicy.kind",
  retryDelays: "retryPolicy.delaysSeconds",
  retryBaseSeconds: "retryPolicy.baseSeconds",
  retryMaxAttempts: "retryPolicy.maxAttempts",
  retryMaxDelaySeconds: "retryPolicy.maxDelaySeconds",
  retryOn4xx: "retryPolicy.retryOn4xx",
  auth: "authentication",
  method: "request.method",
  headers: "request.headers",
  mappingMode: "request.mapping.mode",
  fieldMappings: "request.mapping.fields",
  payloadFormat: "request.format",
  wrapInEnvelope: "request.wrapInEnvelope",
  payloadTemplate: "request.template",
  conditionMatch: "request.conditions.match",
  conditions: "request.conditions.items",
  timeWindow: "request.timeWindow",
  successStatuses: "response.successStatuses",
  bodyCondition: "response.bodyCondition",
  responseParsers: "response.parsers",
  errorParser: "response.errorParser",
};

/** "fieldMappings.2.value" → "request.mapping.fields.2.value"; title, url, … stay as they are. */
export function apiFieldPath(formPath: string): string {
  const [head = "", ...rest] = formPath.split(".");
  return [API_PATHS[head] ?? head, ...rest].filter(Boolean).join(".");
}

/** Field errors keyed by the form's paths, re-keyed by the API's (messages of one key kept together). */
export function apiFieldErrors(formErrors: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [path, messages] of Object.entries(formErrors)) (out[apiFieldPath(path) || "_body"] ??= []).push(...messages);
  return out;
}
