import { z } from "zod";
import { LEAD_FIELDS, type LeadSnapshot } from "../lead";

// Duplicate suppression, per rule: a lead.created delivery is skipped when the rule already sent
// (or is sending) a delivery for the same lead, or for a lead with the same email, phone or chosen
// field, within the last `days` days. Only new leads are checked: the buyer pays for a lead once,
// while updates and notes about a lead it already has are meant to reach it. Emails match lower
// case and trimmed, phones by their digits, a chosen field trimmed.

export const DUPLICATE_MATCHES = ["off", "lead", "email", "phone", "field"] as const;
export type DuplicateMatch = (typeof DUPLICATE_MATCHES)[number];
/** The event whose deliveries are checked. */
export const DUPLICATE_CHECKED_EVENT = "lead.created";
export const DUPLICATE_DAYS_MAX = 365;
export const DUPLICATE_FIELD_MAX = 100;

export const DUPLICATE_MESSAGES = {
  match: "Choose what makes a lead a duplicate.",
  field: "Enter a lead field (e.g. caseTrackerCode) or customFields.<name>.",
  days: `Enter a whole number of days from 1 to ${DUPLICATE_DAYS_MAX}.`,
} as const;

/** The lead fields a rule may match on besides email and phone: scalar snapshot fields, or customFields.<name>. */
export function isDuplicateField(field: string): boolean {
  return /^customFields\.[^.\s]+$/.test(field) || (LEAD_FIELDS as readonly string[]).includes(field) && field !== "customFields";
}

/** The stored setting (WebhookRule.duplicateSuppression); "off" is stored as null. */
export const duplicateSuppressionSchema = z
  .strictObject({
    match: z.enum(DUPLICATE_MATCHES, { error: DUPLICATE_MESSAGES.match }).default("off").describe("What makes a lead a duplicate: off; lead (the same lead); email; phone; field (a lead field, or a custom field as customFields.<name>)."),
    field: z.string({ error: DUPLICATE_MESSAGES.field }).trim().max(DUPLICATE_FIELD_MAX, DUPLICATE_MESSAGES.field).nullish().transform((f) => f || null).describe("match field: the lead field compared, e.g. caseTrackerCode or customFields.ssn."),
    days: z.int({ error: DUPLICATE_MESSAGES.days }).min(1, DUPLICATE_MESSAGES.days).max(DUPLICATE_DAYS_MAX, DUPLICATE_MESSAGES.days).default(30).describe("How far back an earlier delivery counts, in days."),
  })
  .superRefine((s, ctx) => {
    if (s.match === "field" && !(s.field && isDuplicateField(s.field))) ctx.addIssue({ code: "custom", path: ["field"], message: DUPLICATE_MESSAGES.field });
  });
export type DuplicateSuppression = z.output<typeof duplicateSuppressionSchema>;

export const DUPLICATES_OFF: DuplicateSuppression = { match: "off", field: null, days: 30 };

/** The stored setting read back (anything unreadable or null: off). */
export function parseDuplicateSuppression(stored: unknown): DuplicateSuppression {
  const parsed = duplicateSuppressionSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : DUPLICATES_OFF;
}

/** The setting as the rule form holds it (no field: ""). */
export function duplicateFormValues(stored: unknown): DuplicateSuppression {
  const s = parseDuplicateSuppression(stored);
  return { ...s, field: s.field ?? "" };
}

/** What is stored for a setting: null when off. */
export function storedDuplicateSuppression(s: DuplicateSuppression): DuplicateSuppression | null {
  return s.match === "off" ? null : s;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
export const normalizePhone = (phone: string): string => phone.replace(/\D/g, "");

/** The lead's value of a chosen field: a snapshot field, or customFields.<name>. */
function fieldValue(lead: Pick<LeadSnapshot, "customFields"> & Record<string, unknown>, field: string): string {
  const custom = /^customFields\.(.+)$/.exec(field);
  const value = custom ? lead.customFields[custom[1]!] : lead[field];
  return value === null || value === undefined || typeof value === "object" ? "" : String(value).trim();
}

/**
 * The key two deliveries of the rule share when one duplicates the other, or null when the lead
 * has nothing to compare (no email, a phone without digits, …): such a lead is never a duplicate.
 */
export function duplicateKey(s: DuplicateSuppression, lead: Pick<LeadSnapshot, "id" | "email" | "phone" | "customFields"> & Record<string, unknown>): string | null {
  const value =
    s.match === "lead" ? lead.id
    : s.match === "email" ? normalizeEmail(lead.email ?? "")
    : s.match === "phone" ? normalizePhone(lead.phone ?? "")
    : s.match === "field" && s.field ? fieldValue(lead, s.field)
    : "";
  return value ? `${s.match === "field" ? s.field : s.match}:${value}` : null;
}

/** The oldest creation time of an earlier delivery that still counts. */
export function duplicateWindowStart(s: Pick<DuplicateSuppression, "days">, now: Date): Date {
  return new Date(now.getTime() - s.days * 86_400_000);
}

/** The skip reason shown in the delivery log (the earlier delivery is linked beside it). */
export function duplicateReason(s: DuplicateSuppression, earlierId: string): string {
  const what = s.match === "lead" ? "the same lead" : s.match === "field" ? `a lead with the same ${s.field}` : `a lead with the same ${s.match}`;
  return `Duplicate: this rule sent ${what} within ${s.days} day${s.days === 1 ? "" : "s"} (delivery ${earlierId})`;
}
