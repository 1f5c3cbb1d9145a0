import type { EventEnvelope } from "./event";
import type { LeadSnapshot } from "./lead";

// The sample lead the live preview, template validation and Test Connection render. Every field is
// filled (so a mapping or template that reads one shows a value), with characters that need
// escaping in XML, CSV and URLs, so an admin sees the escaping work before a real lead needs it.

export const SAMPLE_TIMESTAMP = "2026-03-02T15:04:05.000Z";

export function sampleLead(): LeadSnapshot {
  return {
    id: "lead_SampleLead0000000000001",
    email: "jane.oneil@example.com",
    phone: "+1 (555) 010-4477",
    firstName: "Jane",
    lastName: "O'Neil",
    status: "New",
    substatus: "Awaiting call",
    caseType: "Personal Injury",
    office: "Boston",
    opportunitySource: "Web form",
    marketingSource: "Google Ads",
    caseTrackerCode: "CT-10442",
    score: 72,
    customFields: { region: "northeast", state: "ma", zip: "02108", incidentDate: "2026-02-14", notes: "Rear-ended at a light, \"minor\" injuries & back pain" },
    createdAt: "2026-03-02T14:58:41.000Z",
    updatedAt: SAMPLE_TIMESTAMP,
  };
}

/** A sample event of the given type, for the organization, shaped like a real one of that type. */
export function sampleEnvelope(organization: { id: string; name: string }, type: string): EventEnvelope {
  const data: EventEnvelope["data"] = { lead: sampleLead() };
  if (type === "lead.note_added") {
    data.note = { id: "note_SampleNote0000000000001", body: "Called back, left a voicemail.", author: "Sam Rivera", createdAt: SAMPLE_TIMESTAMP };
  }
  if (type === "lead.updated" || type === "lead.status_changed") {
    const status = { from: "Unreviewed", to: "New" };
    data.changes = type === "lead.updated" ? { phone: { from: null, to: "+1 (555) 010-4477" }, status } : { status };
  }
  return { id: "evt_SampleEvent000000000001", type, timestamp: SAMPLE_TIMESTAMP, organization: { id: organization.id, name: organization.name }, data };
}
