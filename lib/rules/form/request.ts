import { z } from "zod";
import { headerValueProblem } from "@/lib/core/http-text";
import {
  conditionSchema,
  HTTP_METHODS,
  mappingSchema,
  mappingTargetProblems,
  PAYLOAD_FORMAT_VALUES,
  RESERVED_HEADERS,
  RULE_REQUEST_MESSAGES,
  TEMPLATE_MAX,
  timeWindowSchema,
} from "@/lib/domain/rule/request";

// The Request tab: method, custom headers, field mappings, payload format, conditions and the
// sending time window, as flat form fields over the rule's request (lib/domain/rule/request.ts,
// whose mapping, condition and window schemas they use). lib/rules/form/endpoint-mapping.ts
// converts them to WebhookRule's columns and back.

export const MAPPING_SOURCES = [
  { value: "field", label: "Lead field" },
  { value: "static", label: "Static value" },
  { value: "template", label: "Template" },
  { value: "join", label: "Join fields" },
] as const;

export const MAX_HEADERS = 30;
export const MAX_MAPPINGS = 200;
export const MAX_CONDITIONS = 30;

export const REQUEST_MESSAGES = {
  ...RULE_REQUEST_MESSAGES,
  method: "Choose a method.",
  headerName: "Use a valid header name (letters, digits and - _ .).",
  headerValue: "This value cannot be sent in an HTTP header.",
  headerReserved: "This header is set by Leadhooks or by the HTTP connection and cannot be set here.",
  tooManyHeaders: `Use at most ${MAX_HEADERS} headers.`,
  tooManyMappings: `Use at most ${MAX_MAPPINGS} field mappings.`,
  format: "Choose a payload format.",
  templateRequired: "Enter the template for this format.",
  tooManyConditions: `Use at most ${MAX_CONDITIONS} conditions.`,
} as const;

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

export const headerSchema = z
  .object({
    name: z.string().trim().max(200, REQUEST_MESSAGES.headerName).regex(HEADER_NAME, REQUEST_MESSAGES.headerName),
    // As undici sends it (lib/core/http-text.ts): no controls, Latin-1 at most.
    value: z
      .string()
      .max(4000)
      .superRefine((v, ctx) => {
        const problem = headerValueProblem(v, "latin1");
        if (problem) ctx.addIssue({ code: "custom", message: `${REQUEST_MESSAGES.headerValue} This value ${problem}.` });
      }),
  })
  .refine((h) => !(RESERVED_HEADERS as readonly string[]).includes(h.name.toLowerCase()), { path: ["name"], message: REQUEST_MESSAGES.headerReserved });
export type HeaderValue = z.output<typeof headerSchema>;

/** The Request tab's fields, spread into the rule schema. */
export const requestFormFields = {
  method: z.enum(HTTP_METHODS, { error: REQUEST_MESSAGES.method }).default("POST"),
  headers: z
    .array(headerSchema)
    .max(MAX_HEADERS, REQUEST_MESSAGES.tooManyHeaders)
    .default([]),
  mappingMode: z.enum(["all", "custom"]).default("all"),
  fieldMappings: z.array(mappingSchema).max(MAX_MAPPINGS, REQUEST_MESSAGES.tooManyMappings).default([]),
  payloadFormat: z.enum(PAYLOAD_FORMAT_VALUES, { error: REQUEST_MESSAGES.format }).default("JSON"),
  /** JSON only: send the mapped object inside the event envelope (data.lead) or on its own. */
  wrapInEnvelope: z.boolean().default(true),
  payloadTemplate: z.string().max(TEMPLATE_MAX, REQUEST_MESSAGES.templateTooLong).default(""),
  conditionMatch: z.enum(["all", "any"]).default("all"),
  conditions: z.array(conditionSchema).max(MAX_CONDITIONS, REQUEST_MESSAGES.tooManyConditions).default([]),
  timeWindow: timeWindowSchema.default({ enabled: false, days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timezone: "UTC", outside: "wait", alternateUrl: "" }),
};

const requestObject = z.object(requestFormFields);
export type RequestFormInput = z.input<typeof requestObject>;
export type RequestFormValues = z.output<typeof requestObject>;

/** Cross-field checks of the Request tab; the rule schema calls it from its superRefine. */
export function refineRequest(r: RequestFormValues, ctx: z.RefinementCtx): void {
  if ((r.payloadFormat === "XML" || r.payloadFormat === "TEMPLATE") && !r.payloadTemplate.trim()) {
    ctx.addIssue({ code: "custom", path: ["payloadTemplate"], message: REQUEST_MESSAGES.templateRequired });
  }
  if (r.mappingMode === "custom") {
    for (const p of mappingTargetProblems(r.fieldMappings)) ctx.addIssue({ code: "custom", path: ["fieldMappings", p.index, "target"], message: p.message });
  }
}

export function emptyRequestForm(): RequestFormValues {
  return requestObject.parse({});
}
