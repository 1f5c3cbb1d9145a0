import { z } from "zod";

// What a rule sends: method, custom headers, field mappings, payload format, conditions and the
// sending window. WebhookRule stores them as columns and JSON documents; the stored* schemas read
// the JSON back (a value that does not parse reads as the default), and lib/delivery/render renders
// them for each lead event. The rule form (lib/rules/form/request.ts) builds its fields on these.
//
// Field paths (a mapping's "field" source, a condition's field) name a value in the template
// context: lead.email, lead.customFields.region, event.type, note.body, organization.name, and
// answers.<rule id>.<name> (what an earlier delivery's response parser kept; see context.ts).

export const HTTP_METHODS = ["POST", "PUT", "PATCH", "GET"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const PAYLOAD_FORMATS = [
  { value: "JSON", label: "JSON" },
  { value: "FORM", label: "Form URL-encoded" },
  { value: "XML", label: "XML (template)" },
  { value: "TEMPLATE", label: "Custom text template (CSV, pipe-delimited, fixed-width…)" },
] as const;
export type PayloadFormatValue = (typeof PAYLOAD_FORMATS)[number]["value"];
export const PAYLOAD_FORMAT_VALUES = PAYLOAD_FORMATS.map((f) => f.value) as [PayloadFormatValue, ...PayloadFormatValue[]];

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

export const TEMPLATE_MAX = 20_000;
export const MAX_VALUE_MAP_ROWS = 200;

/** Messages of the checks a stored mapping, condition or window passes. */
export const RULE_REQUEST_MESSAGES = {
  target: "Enter the outbound field name (dots nest: name.first).",
  targetDuplicate: "Each outbound field name can be used once.",
  targetConflict: "This name is both a field and a group of fields (like name and name.first); rename one of them.",
  fieldPath: "Choose a lead field.",
  joinPaths: "Enter the fields to join, separated by commas (lead.firstName, lead.lastName).",
  valueMapRows: `Use at most ${MAX_VALUE_MAP_ROWS} value map rows.`,
  phoneCountryCode: "Enter a country calling code such as +1 or +44.",
  templateTooLong: `Use at most ${TEMPLATE_MAX.toLocaleString("en-US")} characters.`,
  conditionField: "Choose a field.",
  conditionValue: "Enter a value to compare with.",
  conditionNumber: "Enter a number to compare with.",
  windowDays: "Choose at least one day.",
  windowTime: "Enter a time as HH:MM (24-hour).",
  windowTimezone: "Choose a time zone, such as America/New_York.",
  alternateUrl: "Enter the alternate URL used outside the window.",
} as const;
const MESSAGES = RULE_REQUEST_MESSAGES;

/** Headers Leadhooks sets itself (signature, framing): a custom header may not replace them. */
export const RESERVED_HEADERS = [
  "host", "content-length", "transfer-encoding", "connection", "webhook-id", "webhook-timestamp", "webhook-signature",
  "x-leadhooks-signature", "x-leadhooks-timestamp", "x-leadhooks-delivery-id", "leadhooks-test",
  // Managed by the HTTP client: undici refuses to send a request that sets them.
  "keep-alive", "upgrade", "expect",
] as const;

const FIELD_PATH = /^(lead|event|note|organization|changes|answers)(\.[A-Za-z0-9_-]+)+$/;

/** A custom header as stored. */
export interface Header {
  name: string;
  value: string;
}

/** "lead.firstName, lead.lastName" → the paths a "join" mapping joins, in order. */
export function joinPaths(value: string): string[] {
  return value.split(",").map((p) => p.trim()).filter(Boolean);
}

/**
 * One outbound field. Transforms apply in a fixed order: default (when the value is empty), trim,
 * value map, digits only, phone format, case, date format.
 *
 * The value map, phone format and join settings are optional: a mapping stored before they
 * existed has none of them and renders as it always did.
 */
export const mappingSchema = z
  .object({
    target: z.string().trim().min(1, MESSAGES.target).max(200, MESSAGES.target).regex(/^[A-Za-z0-9_$@:-]+(\.[A-Za-z0-9_$@:-]+)*$/, MESSAGES.target),
    source: z.enum(["field", "static", "template", "join"]).default("field"),
    /**
     * A field path (source "field"), the literal value ("static"), a Liquid template, or the field
     * paths a "join" joins, separated by commas ("lead.firstName, lead.lastName").
     */
    value: z.string().max(TEMPLATE_MAX, MESSAGES.templateTooLong).default(""),
    /** Source "join": put between the parts (empty parts are left out); blank: a space. */
    separator: z.string().max(20).optional(),
    defaultValue: z.string().max(2000).default(""),
    trim: z.boolean().default(false),
    /**
     * Value map: the value (after trim, as text) is looked up in `from`; a hit sends `to`. An
     * unmapped value sends valueMapDefault, or itself when that is empty. Exact match unless
     * valueMapIgnoreCase.
     */
    valueMap: z.array(z.object({ from: z.string().max(500), to: z.string().max(2000) })).max(MAX_VALUE_MAP_ROWS, MESSAGES.valueMapRows).optional(),
    valueMapDefault: z.string().max(2000).optional(),
    valueMapIgnoreCase: z.boolean().optional(),
    digitsOnly: z.boolean().default(false),
    /** Phone numbers: E.164 (+15551234567) or the national format; "none" or absent: as is. */
    phoneFormat: z.enum(["none", "e164", "national"]).optional(),
    /** The country calling code of numbers written without one (phone format); blank: 1. */
    phoneCountryCode: z.string().trim().regex(/^(\+?[1-9]\d{0,2})?$/, MESSAGES.phoneCountryCode).optional(),
    case: z.enum(["none", "upper", "lower"]).default("none"),
    /** Date format tokens YYYY MM DD HH mm ss (UTC); blank leaves the value as it is. */
    dateFormat: z.string().max(100).default(""),
  })
  .refine((m) => m.source !== "field" || FIELD_PATH.test(m.value.trim()), { path: ["value"], message: MESSAGES.fieldPath })
  .refine((m) => m.source !== "join" || (joinPaths(m.value).length > 0 && joinPaths(m.value).every((p) => FIELD_PATH.test(p))), {
    path: ["value"],
    message: MESSAGES.joinPaths,
  });
export type FieldMapping = z.output<typeof mappingSchema>;

export const conditionSchema = z
  .object({
    field: z.string().trim().regex(FIELD_PATH, MESSAGES.conditionField),
    op: z.enum(CONDITION_OPERATORS.map((o) => o.value) as [ConditionOperator, ...ConditionOperator[]]),
    value: z.string().max(2000).default(""),
  })
  .superRefine((c, ctx) => {
    if (c.op === "empty" || c.op === "not_empty") return;
    if (!c.value.trim()) return void ctx.addIssue({ code: "custom", path: ["value"], message: MESSAGES.conditionValue });
    if ((c.op === "gt" || c.op === "lt") && !Number.isFinite(Number(c.value))) ctx.addIssue({ code: "custom", path: ["value"], message: MESSAGES.conditionNumber });
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
    if (!w.days.length) ctx.addIssue({ code: "custom", path: ["days"], message: MESSAGES.windowDays });
    if (!HHMM.test(w.start)) ctx.addIssue({ code: "custom", path: ["start"], message: MESSAGES.windowTime });
    if (!HHMM.test(w.end)) ctx.addIssue({ code: "custom", path: ["end"], message: MESSAGES.windowTime });
    if (!isTimeZone(w.timezone)) ctx.addIssue({ code: "custom", path: ["timezone"], message: MESSAGES.windowTimezone });
    if (w.outside === "alternate" && !w.alternateUrl) ctx.addIssue({ code: "custom", path: ["alternateUrl"], message: MESSAGES.alternateUrl });
  });
export type TimeWindow = z.output<typeof timeWindowSchema>;

/**
 * Whether a URL uses template syntax (`https://api.example.com/{{ lead.customFields.region }}`),
 * so it is rendered per lead: the rule form checks such a URL by rendering it for the sample lead
 * (lib/rules/template-problems.ts) rather than parsing it as it is.
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
    if (clash !== undefined) problems.push({ index, message: clash === target ? MESSAGES.targetDuplicate : MESSAGES.targetConflict });
    seen.push(target);
  });
  return problems;
}

/** WebhookRule.fieldMappings as stored. */
export const storedMappingsSchema = z
  .union([
    // Rules saved before field mappings existed hold []: "map all fields".
    z.array(z.unknown()).transform(() => ({ mode: "all" as const, fields: [] as FieldMapping[] })),
    z.object({ mode: z.enum(["all", "custom"]).default("all"), fields: z.array(mappingSchema).default([]) }),
  ])
  .catch({ mode: "all", fields: [] });
export type StoredMappings = z.output<typeof storedMappingsSchema>;

/** WebhookRule.headers as stored. */
export const storedHeadersSchema = z.array(z.object({ name: z.string(), value: z.string() })).catch([]);

/** WebhookRule.conditions as stored. */
export const storedConditionsSchema = z
  .object({ match: z.enum(["all", "any"]).default("all"), items: z.array(conditionSchema).default([]) })
  .catch({ match: "all", items: [] });
export type StoredConditions = z.output<typeof storedConditionsSchema>;

/** WebhookRule.timeWindow as stored; null: send at any time. */
export const storedTimeWindowSchema = timeWindowSchema.nullable().catch(null);

const storedMethodSchema = z.enum(HTTP_METHODS).catch("POST");
const storedFormatSchema = z.enum(PAYLOAD_FORMAT_VALUES).catch("JSON");

/** WebhookRule.method as stored (a plain string column): an unknown one reads as POST. */
export function parseMethod(stored: string): HttpMethod {
  return storedMethodSchema.parse(stored);
}

/** WebhookRule.payloadFormat as stored: an unknown one reads as JSON. */
export function parsePayloadFormat(stored: string): PayloadFormatValue {
  return storedFormatSchema.parse(stored);
}
