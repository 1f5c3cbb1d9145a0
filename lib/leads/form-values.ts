import { z } from "zod";
import type { Lead } from "@/lib/generated/prisma/client";
import { createLeadSchema, leadFieldsSchema, updateLeadSchema } from "./schema";

// The admin lead form edits text inputs, a score typed as text and custom fields as name/value
// rows. This schema checks those and turns them into the shared lead input, then pipes the result
// through createLeadSchema / updateLeadSchema: the browser validates exactly what the server
// action validates again.

export const MAX_CUSTOM_FIELDS = 50;
const CUSTOM_NAME = /^[A-Za-z0-9_.-]+$/;

const TEXT_FIELDS = [
  "email", "phone", "firstName", "lastName", "status", "substatus", "caseType", "office",
  "opportunitySource", "marketingSource", "caseTrackerCode",
] as const;

const customRow = z.object({
  name: z.string().trim().max(64, "Use at most 64 characters."),
  value: z.string().max(2000, "Use at most 2,000 characters."),
});

export const leadFormShape = z.object({
  ...Object.fromEntries(TEXT_FIELDS.map((f) => [f, z.string()])) as Record<(typeof TEXT_FIELDS)[number], z.ZodString>,
  score: z.string().trim().regex(/^(-?\d{1,7})?$/, "Score must be a whole number."),
  customFields: z
    .array(customRow)
    .max(MAX_CUSTOM_FIELDS, `At most ${MAX_CUSTOM_FIELDS} custom fields.`)
    .superRefine((rows, ctx) => {
      const seen = new Set<string>();
      rows.forEach((row, i) => {
        if (!row.name) {
          // A row left completely empty is ignored; a value without a name is a mistake.
          if (row.value.trim()) ctx.addIssue({ code: "custom", path: [i, "name"], message: "Name this field or clear its value." });
          return;
        }
        if (!CUSTOM_NAME.test(row.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: "Use letters, digits, _ . -" });
        else if (seen.has(row.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: "This name is already used." });
        seen.add(row.name);
      });
    }),
});

export type LeadFormValues = z.input<typeof leadFormShape>;
export type CustomFieldRow = LeadFormValues["customFields"][number];

type CustomValue = string | number | boolean | null;

/**
 * The form's values as the shared lead input: blank text is null (so an edit can clear a field),
 * empty custom rows are dropped. A custom value the form shows unchanged keeps its original type,
 * so saving a lead that the API created with `{"source_id": 42}` does not turn 42 into "42".
 */
export function toLeadInput(values: z.output<typeof leadFormShape>, original: Record<string, unknown> = {}): z.input<typeof leadFieldsSchema> {
  const text = Object.fromEntries(TEXT_FIELDS.map((f) => [f, values[f].trim() || null])) as Record<(typeof TEXT_FIELDS)[number], string | null>;
  const customFields: Record<string, CustomValue> = {};
  for (const { name, value } of values.customFields) {
    if (!name) continue;
    const before = original[name];
    const keep = before !== undefined && isCustomValue(before) && displayValue(before) === value;
    customFields[name] = keep ? before : value;
  }
  return { ...text, score: values.score ? Number(values.score) : null, customFields };
}

function isCustomValue(v: unknown): v is CustomValue {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

/** How a stored custom value appears in the form's text input. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function leadFormSchema(mode: "create" | "update", originalCustomFields: Record<string, unknown> = {}) {
  return leadFormShape.transform((v) => toLeadInput(v, originalCustomFields)).pipe(mode === "create" ? createLeadSchema : updateLeadSchema);
}

/** What the form hands to onSubmit: the shared lead input, already parsed. */
export type LeadFormOutput = z.output<ReturnType<typeof leadFormSchema>>;

export function emptyLeadFormValues(): LeadFormValues {
  return {
    email: "", phone: "", firstName: "", lastName: "", status: "", substatus: "", caseType: "", office: "",
    opportunitySource: "", marketingSource: "", caseTrackerCode: "", score: "", customFields: [],
  };
}

export function leadToFormValues(lead: Lead): LeadFormValues {
  const text = Object.fromEntries(TEXT_FIELDS.map((f) => [f, lead[f] ?? ""])) as Record<(typeof TEXT_FIELDS)[number], string>;
  const custom = (lead.customFields ?? {}) as Record<string, unknown>;
  return {
    ...text,
    score: lead.score === null ? "" : String(lead.score),
    customFields: Object.entries(custom).map(([name, value]) => ({ name, value: displayValue(value) })),
  };
}

/** Form field names, for mapping server field errors back onto inputs. */
export const LEAD_FORM_FIELDS = [...TEXT_FIELDS, "score", "customFields"] as const;
export type LeadFormField = (typeof LEAD_FORM_FIELDS)[number];
