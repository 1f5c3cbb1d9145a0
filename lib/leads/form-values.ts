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
  score: z.string(),
  customFields: z.array(customRow).max(MAX_CUSTOM_FIELDS, `At most ${MAX_CUSTOM_FIELDS} custom fields.`),
});

const SCORE = /^(-?\d{1,7})?$/;

/** Checks only the form can make (it has rows and a score typed as text); issues point at inputs. */
function checkFormOnly(values: z.output<typeof leadFormShape>, ctx: z.RefinementCtx): { score: boolean; rows: boolean } {
  const bad = { score: false, rows: false };
  if (!SCORE.test(values.score.trim())) {
    ctx.addIssue({ code: "custom", path: ["score"], message: "Score must be a whole number." });
    bad.score = true;
  }
  const seen = new Set<string>();
  values.customFields.forEach((row, i) => {
    const issue = (message: string) => {
      ctx.addIssue({ code: "custom", path: ["customFields", i, "name"], message });
      bad.rows = true;
    };
    if (!row.name) {
      // A row left completely empty is ignored; a value without a name is a mistake.
      if (row.value.trim()) issue("Name this field or clear its value.");
      return;
    }
    if (!CUSTOM_NAME.test(row.name)) issue("Use letters, digits, _ . -");
    else if (seen.has(row.name)) issue("This name is already used.");
    seen.add(row.name);
  });
  return bad;
}

export type LeadFormValues = z.input<typeof leadFormShape>;

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
  return { ...text, score: values.score.trim() ? Number(values.score.trim()) : null, customFields };
}

function isCustomValue(v: unknown): v is CustomValue {
  return v === null || ["string", "number", "boolean"].includes(typeof v);
}

/** How a stored custom value appears in the form's text input. */
export function displayValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * The form's schema: its own checks and the shared schema's, all reported in one pass (a pipe
 * would stop at the first stage's errors), then the parsed shared input as the output.
 */
export function leadFormSchema(mode: "create" | "update", originalCustomFields: Record<string, unknown> = {}) {
  const target = mode === "create" ? createLeadSchema : updateLeadSchema;
  return leadFormShape
    .superRefine((values, ctx) => {
      const bad = checkFormOnly(values, ctx);
      const parsed = target.safeParse(toLeadInput(values, originalCustomFields));
      for (const issue of parsed.error?.issues ?? []) {
        const field = issue.path[0];
        if ((field === "score" && bad.score) || (field === "customFields" && bad.rows)) continue; // already said, closer to the input
        ctx.addIssue({ code: "custom", path: field === "customFields" ? ["customFields"] : issue.path, message: field === "score" ? "Score must be between -1,000,000 and 1,000,000." : issue.message });
      }
    })
    .transform((values) => target.parse(toLeadInput(values, originalCustomFields)));
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
