import { z } from "zod";
import type { LeadField } from "@/lib/domain/lead";

// The lead as the REST API and the admin form accept it. Reference fields (status, case type,
// office, sources) are names from the organization's reference lists; lib/leads/reference-check.ts
// resolves them to the canonical spelling or reports the field. Its fields are the snapshot's
// (LEAD_FIELDS in lib/domain/lead.ts), each once.

const text = (max: number) => z.string().trim().max(max, `Use at most ${max} characters.`);
const optionalText = (max: number) =>
  z
    .union([text(max), z.null()])
    .optional()
    .transform((v) => (v === "" ? null : v));

const customValue = z
  .union([z.string().max(2000), z.number(), z.boolean(), z.null()])
  .describe("A string, number, boolean or null. Numbers must survive a 64-bit float exactly (whole numbers within ±9007199254740991): send longer ids as strings, or the request is refused with 422.");

export const leadFieldsSchema = z.object({
  email: z
    .union([z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.")), z.literal(""), z.null()])
    .optional()
    .transform((v) => (v === "" ? null : v)),
  phone: optionalText(40).refine((v) => v == null || /^[+()\d\s.\-x]{3,40}$/.test(v), "Enter a valid phone number."),
  firstName: optionalText(100),
  lastName: optionalText(100),
  status: optionalText(100),
  substatus: optionalText(100),
  caseType: optionalText(100),
  office: optionalText(100),
  opportunitySource: optionalText(100),
  marketingSource: optionalText(100),
  caseTrackerCode: optionalText(100),
  score: z.int("Score must be a whole number.").min(-1_000_000).max(1_000_000).nullable().optional(),
  customFields: z
    .record(z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, "Custom field names use letters, digits, _ . -"), customValue)
    .refine((r) => Object.keys(r).length <= 50, "At most 50 custom fields.")
    .optional(),
} satisfies Record<LeadField, z.ZodType>);

export const createLeadSchema = leadFieldsSchema
  .strict()
  .refine((l) => !!(l.email || l.phone), { message: "A lead needs an email or a phone number.", path: ["email"] });

export const updateLeadSchema = leadFieldsSchema.strict().refine((l) => Object.keys(l).length > 0, { message: "Nothing to update." });

export const noteSchema = z
  .object({
    body: z.string().trim().min(1, "Write the note.").max(10_000, "Use at most 10,000 characters."),
    author: optionalText(100),
  })
  .strict();

// zod's transforms make every optional key present-but-undefined in the output; callers (the API,
// the admin, tests) pass only the keys they mean.
export type CreateLeadInput = Partial<z.output<typeof createLeadSchema>>;
export type UpdateLeadInput = Partial<z.output<typeof updateLeadSchema>>;
export type NoteInput = Pick<z.output<typeof noteSchema>, "body"> & Partial<z.output<typeof noteSchema>>;
