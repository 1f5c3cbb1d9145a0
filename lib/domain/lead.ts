// The lead as events carry it: a snapshot of its fields when the event happened. The API's and
// the admin form's schemas (lib/leads/schema.ts) accept these fields.

/** The fields a lead snapshot carries, in a stable order (used in payloads and change sets). */
export const LEAD_FIELDS = [
  "email", "phone", "firstName", "lastName", "status", "substatus", "caseType", "office",
  "opportunitySource", "marketingSource", "caseTrackerCode", "score", "customFields",
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];

export interface LeadSnapshot {
  id: string;
  email: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  status: string | null;
  substatus: string | null;
  caseType: string | null;
  office: string | null;
  opportunitySource: string | null;
  marketingSource: string | null;
  caseTrackerCode: string | null;
  score: number | null;
  customFields: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}
