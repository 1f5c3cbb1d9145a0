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

/**
 * Lead.answers: per rule id, the values that rule's response parser kept from the client's latest
 * answer ({"rul_…": {"remoteId": "A-17", "result": "accepted"}}). Not part of the snapshot (one
 * client's answer is never sent to another unless a rule's mapping or template asks for it).
 */
export type LeadAnswers = Record<string, Record<string, string>>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The stored column read back; anything that is not {rule: {name: text}} is left out. */
export function leadAnswers(stored: unknown): LeadAnswers {
  const out: LeadAnswers = {};
  if (!isRecord(stored)) return out;
  for (const [ruleId, values] of Object.entries(stored)) {
    if (!isRecord(values)) continue;
    const kept = Object.entries(values).filter((e): e is [string, string] => typeof e[1] === "string");
    if (kept.length) out[ruleId] = Object.fromEntries(kept);
  }
  return out;
}
