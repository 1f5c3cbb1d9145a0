import { z } from "zod";
import { headerValueProblem } from "@/lib/core/http-text";

// The Request tab: method, custom headers, field mappings, payload format, conditions and the
// sending time window. The same shapes are stored on WebhookRule (JSON columns), parsed back with
// the stored* schemas, and read by lib/delivery/render when a delivery is created.
//
// Field paths (a mapping's "field" source, a condition's field) name a value in the template
// context: lead.email, lead.customFields.region, event.type, note.body, organization.name.

export const HTTP_METHODS = ["POST", "PUT", "PATCH", "GET"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const PAYLOAD_FORMATS = [
  { value: "JSON", label: "JSON" },
  { value: "FORM", label: "Form URL-encoded" },
  { value: "XML", label: "XML (template)" },
  { value: "TEMPLATE", label: "Custom text template (CSV, pipe-delimited, fixed-width…)" },
] as const;
export type PayloadFormatValue = (typeof PAYLOAD_FORMATS)[number]["value"];

export const MAPPING_SOURCES = [
  { value: "field", label: "Lead field" },
  { value: "static", label: "Static value" },
  { value: "template", label: "Template" },
] as const;

export const CONDITION_OPERATORS = [
  { value: "equals", label: "equals" },
  { value: "not_equals", label: "does not equal" },
  { value: "contains", label: "contains" },
  { value: "gt", label: "is greater than" },
  { value: "lt", label: "is less than" },
  { value: "empty", label: "is empty" },
  { value: "not_empty", label: "is not empty" },
  { value: "in", label: "is one of (comma-separated)" },
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number]["value"];

export const MAX_HEADERS = 30;
export const MAX_MAPPINGS = 200;
export const MAX_CONDITIONS = 30;
export const TEMPLATE_MAX = 20_000;

export const REQUEST_MESSAGES = {
  method: "Choose a method.",
  headerName: "Use a valid header name (letters, digits and - _ .).",
  headerValue: "This value cannot be sent in an HTTP header.",
  headerReserved: "This header is set by Leadhooks or by the HTTP connection and cannot be set here.",
  tooManyHeaders: `Use at most ${MAX_HEADERS} headers.`,
  target: "Enter the outbound field name (dots nest: name.first).",
  targetDuplicate: "Each outbound field name can be used once.",
  targetConflict: "This name is both a field and a group of fields (like name and name.first); rename one of them.",
  fieldPath: "Choose a lead field.",
  tooManyMappings: `Use at most ${MAX_MAPPINGS} field mappings.`,
  format: "Choose a payload format.",
  templateRequired: "Enter the template for this format.",
  templateTooLong: `Use at most ${TEMPLATE_MAX.toLocaleString("en-US")} characters.`,
  conditionField: "Choose a field.",
  conditionValue: "Enter a value to compare with.",
  conditionNumber: "Enter a number to compare with.",
  tooManyConditions: `Use at most ${MAX_CONDITIONS} conditions.`,
  windowDays: "Choose at least one day.",
  windowTime: "Enter a time as HH:MM (24-hour).",
  windowTimezone: "Choose a time zone, such as America/New_York.",
  alternateUrl: "Enter the alternate URL used outside the window.",
} as const;

/** Headers Leadhooks sets itself (signature, framing): a custom header may not replace them. */
export const RESERVED_HEADERS = [
  "host", "content-length", "transfer-encoding", "connection", "webhook-id", "webhook-timestamp", "webhook-signature",
  "x-leadhooks-signature", "x-leadhooks-timestamp", "x-leadhooks-delivery-id", "leadhooks-test",
  // Managed by the HTTP client: undici refuses to send a request that sets them.
  "keep-alive", "upgrade", "expect",
] as const;

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const FIELD_PATH = /^(lead|event|note|organization|changes)(\.[A-Za-z0-9_-]+)+$/;

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

/**
 * One outbound field. Transforms apply in a fixed order: default (when the value is empty), trim,
 * digits only, case, date format.
 */
export const mappingSchema = z
  .object({
    target: z.string().trim().min(1, REQUEST_MESSAGES.target).max(200, REQUEST_MESSAGES.target).regex(/^[A-Za-z0-9_$@:-]+(\.[A-Za-z0-9_$@:-]+)*$/, REQUEST_MESSAGES.target),
    source: z.enum(["field", "static", "template"]).default("field"),
    /** A field path (source "field"), the literal value ("static") or a Liquid template. */
    value: z.string().max(TEMPLATE_MAX, REQUEST_MESSAGES.templateTooLong).default(""),
    defaultValue: z.string().max(2000).default(""),
    trim: z.boolean().default(false),
    digitsOnly: z.boolean().default(false),
    case: z.enum(["none", "upper", "lower"]).default("none"),
    /** Date format tokens YYYY MM DD HH mm ss (UTC); blank leaves the value as it is. */
    dateFormat: z.string().max(100).default(""),
  })
  .refine((m) => m.source !== "field" || FIELD_PATH.test(m.value.trim()), { path: ["value"], message: REQUEST_MESSAGES.fieldPath });
export type FieldMapping = z.output<typeof mappingSchema>;

export const conditionSchema = z
  .object({
    field: z.string().trim().regex(FIELD_PATH, REQUEST_MESSAGES.conditionField),
    op: z.enum(CONDITION_OPERATORS.map((o) => o.value) as [ConditionOperator, ...ConditionOperator[]]),
    value: z.string().max(2000).default(""),
  })
  .superRefine((c, ctx) => {
    if (c.op === "empty" || c.op === "not_empty") return;
    if (!c.value.trim()) return void ctx.addIssue({ code: "custom", path: ["value"], message: REQUEST_MESSAGES.conditionValue });
    if ((c.op === "gt" || c.op === "lt") && !Number.isFinite(Number(c.value))) ctx.addIssue({ code: "custom", path: ["value"], message: REQUEST_MESSAGES.conditionNumber });
  });
export type Condition = z.output<typeof conditionSchema>;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export const timeWindowSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** 0 = Sunday … 6 = Saturday. */
    days: z.array(z.int().min(0).max(6)).max(7).default([1, 2, 3, 4, 5]),
    start: z.string().default("09:00"),
    end: z.string().default("17:00"),
    timezone: z.string().max(100).default("UTC"),
    outside: z.enum(["wait", "alternate"]).default("wait"),
    alternateUrl: z.string().trim().max(2048).default(""),
  })
  .superRefine((w, ctx) => {
    if (!w.enabled) return;
    if (!w.days.length) ctx.addIssue({ code: "custom", path: ["days"], message: REQUEST_MESSAGES.windowDays });
    if (!HHMM.test(w.start)) ctx.addIssue({ code: "custom", path: ["start"], message: REQUEST_MESSAGES.windowTime });
    if (!HHMM.test(w.end)) ctx.addIssue({ code: "custom", path: ["end"], message: REQUEST_MESSAGES.windowTime });
    if (!isTimeZone(w.timezone)) ctx.addIssue({ code: "custom", path: ["timezone"], message: REQUEST_MESSAGES.windowTimezone });
    if (w.outside === "alternate" && !w.alternateUrl) ctx.addIssue({ code: "custom", path: ["alternateUrl"], message: REQUEST_MESSAGES.alternateUrl });
  });
export type TimeWindow = z.output<typeof timeWindowSchema>;

/**
 * Whether a URL uses template syntax (`https://api.example.com/{{ lead.customFields.region }}`),
 * so it is rendered per lead: the rule schema checks such a URL by rendering it for the sample
 * lead (lib/delivery/render/validate.ts) rather than parsing it as it is.
 */
export function isUrlTemplate(url: string): boolean {
  return url.includes("{{") || url.includes("{%");
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return tz.length > 0;
  } catch {
    return false;
  }
}

/** The Request tab's fields, spread into the rule schema. */
export const requestFormFields = {
  method: z.enum(HTTP_METHODS, { error: REQUEST_MESSAGES.method }).default("POST"),
  headers: z
    .array(headerSchema)
    .max(MAX_HEADERS, REQUEST_MESSAGES.tooManyHeaders)
    .default([]),
  mappingMode: z.enum(["all", "custom"]).default("all"),
  fieldMappings: z.array(mappingSchema).max(MAX_MAPPINGS, REQUEST_MESSAGES.tooManyMappings).default([]),
  payloadFormat: z.enum(["JSON", "FORM", "XML", "TEMPLATE"], { error: REQUEST_MESSAGES.format }).default("JSON"),
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

/**
 * Outbound names that cannot all be built into one object: the same name twice, or a name that is
 * both a value and a group (`name` and `name.first`). Reported on the later mapping.
 */
export function mappingTargetProblems(mappings: readonly { target: string }[]): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  const seen: string[] = [];
  mappings.forEach((m, index) => {
    const target = m.target.trim();
    const clash = seen.find((t) => t === target || t.startsWith(`${target}.`) || target.startsWith(`${t}.`));
    if (clash !== undefined) problems.push({ index, message: clash === target ? REQUEST_MESSAGES.targetDuplicate : REQUEST_MESSAGES.targetConflict });
    seen.push(target);
  });
  return problems;
}

export function emptyRequestForm(): RequestFormValues {
  return requestObject.parse({});
}

/** What WebhookRule stores (besides method, payloadFormat, payloadTemplate, wrapInEnvelope columns). */
export const storedMappingsSchema = z
  .union([
    // Rules saved before field mappings existed hold []: "map all fields".
    z.array(z.unknown()).transform(() => ({ mode: "all" as const, fields: [] as FieldMapping[] })),
    z.object({ mode: z.enum(["all", "custom"]).default("all"), fields: z.array(mappingSchema).default([]) }),
  ])
  .catch({ mode: "all", fields: [] });
export type StoredMappings = z.output<typeof storedMappingsSchema>;

export const storedHeadersSchema = z.array(z.object({ name: z.string(), value: z.string() })).catch([]);

export const storedConditionsSchema = z
  .object({ match: z.enum(["all", "any"]).default("all"), items: z.array(conditionSchema).default([]) })
  .catch({ match: "all", items: [] });
export type StoredConditions = z.output<typeof storedConditionsSchema>;

export const storedTimeWindowSchema = timeWindowSchema.nullable().catch(null);
