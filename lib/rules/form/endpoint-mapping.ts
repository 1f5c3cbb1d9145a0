import { Prisma } from "@/lib/generated/prisma/client";
import type { RuleRow } from "@/lib/domain/rule";
import {
  parseMethod,
  storedConditionsSchema,
  storedHeadersSchema,
  storedMappingsSchema,
  storedTimeWindowSchema,
} from "@/lib/domain/rule/request";
import { storedResponseRulesSchema, type ResponseRules } from "@/lib/domain/rule/response";
import { emptyRequestForm, type RequestFormValues } from "./request";
import { emptyResponseForm, type ResponseFormValues } from "./response";

// The Request and Response tabs edit flat form fields; WebhookRule stores them as a few columns
// and JSON documents. These two pairs of functions convert one way and back, so what the form
// saves is what it shows when reopened.

type Json = Prisma.InputJsonValue;

export function requestColumnsFromForm(values: RequestFormValues) {
  return {
    method: values.method,
    headers: values.headers.map(({ name, value }) => ({ name, value })) as Json,
    fieldMappings: { mode: values.mappingMode, fields: values.mappingMode === "custom" ? values.fieldMappings : [] } as Json,
    payloadFormat: values.payloadFormat,
    payloadTemplate: values.payloadFormat === "XML" || values.payloadFormat === "TEMPLATE" ? values.payloadTemplate : null,
    wrapInEnvelope: values.wrapInEnvelope,
    conditions: { match: values.conditionMatch, items: values.conditions } as Json,
    // A disabled window is not stored: null means "send at any time".
    timeWindow: values.timeWindow.enabled ? (values.timeWindow as Json) : Prisma.DbNull,
  };
}

export function responseRulesFromForm(values: ResponseFormValues): ResponseRules {
  const { errorParser } = values;
  return {
    successStatuses: values.successStatuses || "2xx",
    bodyCondition: values.bodyCondition.enabled ? values.bodyCondition : null,
    parsers: values.responseParsers,
    errorParser: errorParser.code || errorParser.message || errorParser.field ? errorParser : null,
  };
}

type StoredRequest = Pick<RuleRow, "method" | "headers" | "fieldMappings" | "payloadTemplate" | "wrapInEnvelope" | "conditions" | "timeWindow"> & {
  payloadFormat: RequestFormValues["payloadFormat"];
};

export function requestFormFromRow(row: StoredRequest): RequestFormValues {
  const empty = emptyRequestForm();
  const mappings = storedMappingsSchema.parse(row.fieldMappings);
  const conditions = storedConditionsSchema.parse(row.conditions);
  const window = storedTimeWindowSchema.parse(row.timeWindow);
  return {
    method: parseMethod(row.method),
    headers: storedHeadersSchema.parse(row.headers),
    mappingMode: mappings.mode,
    fieldMappings: mappings.fields,
    payloadFormat: row.payloadFormat,
    wrapInEnvelope: row.wrapInEnvelope,
    payloadTemplate: row.payloadTemplate ?? "",
    conditionMatch: conditions.match,
    conditions: conditions.items,
    timeWindow: window ? { ...window, enabled: true } : empty.timeWindow,
  };
}

export function responseFormFromRow(responseRules: unknown): ResponseFormValues {
  const empty = emptyResponseForm();
  const rules = storedResponseRulesSchema.parse(responseRules);
  return {
    successStatuses: rules.successStatuses,
    bodyCondition: rules.bodyCondition ? { ...rules.bodyCondition, enabled: true } : empty.bodyCondition,
    responseParsers: rules.parsers,
    errorParser: rules.errorParser ?? empty.errorParser,
  };
}
