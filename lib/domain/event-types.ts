import type { EventEnvelope } from "./event";
import { sampleEnvelope } from "./sample";

// The lead events a rule can subscribe to. One place for each event's name, label and meaning;
// the rule form, the list, the export and the REST API (GET /api/v1/event-types) read from here.

export interface EventType {
  name: string;
  label: string;
  description: string;
  /** Whether the rule form offers Creation Rules (which leads) for this trigger. */
  creationRules: boolean;
}

export const EVENT_TYPES = [
  { name: "lead.created", label: "Lead Created", description: "A new lead was entered, by the API or in the admin.", creationRules: true },
  { name: "lead.updated", label: "Lead Edited", description: "Any field of a lead was changed.", creationRules: true },
  { name: "lead.status_changed", label: "Lead Status Changed", description: "A lead moved to another status or substatus.", creationRules: true },
  { name: "lead.note_added", label: "Note Added", description: "A note was added to a lead.", creationRules: true },
  { name: "lead.assigned", label: "Lead Assigned", description: "A lead was assigned to a user or an office.", creationRules: false },
  { name: "lead.contact_attempted", label: "Contact Attempt Logged", description: "A call, text or email attempt to reach the lead was logged.", creationRules: false },
  { name: "lead.appointment_scheduled", label: "Appointment Scheduled", description: "A consultation or appointment was booked with the lead.", creationRules: false },
  { name: "lead.converted", label: "Lead Converted", description: "The lead became a client (signed up, retained, or sold).", creationRules: false },
  { name: "lead.rejected", label: "Lead Rejected", description: "The lead was turned down or marked as not a fit.", creationRules: false },
  { name: "lead.deleted", label: "Lead Deleted", description: "A lead was deleted.", creationRules: false },
] as const satisfies readonly EventType[];

export type EventName = (typeof EVENT_TYPES)[number]["name"];

export const EVENT_NAMES = EVENT_TYPES.map((e) => e.name) as [EventName, ...EventName[]];

const byName = new Map<string, EventType>(EVENT_TYPES.map((e) => [e.name, e]));

export function eventType(name: string): EventType | undefined {
  return byName.get(name);
}

export function eventLabel(name: string): string {
  return byName.get(name)?.label ?? name;
}

export function hasCreationRules(events: readonly string[]): boolean {
  return events.some((e) => byName.get(e)?.creationRules);
}

/**
 * A sample of the event as a receiver gets it (the default JSON body): the sample lead, plus the
 * note or the changes for the events that carry them. The API's event catalogue shows it.
 */
export function samplePayload(name: string, organization: { id: string; name: string } = { id: "org_SampleOrganization00001", name: "Sample Organization" }): EventEnvelope {
  return sampleEnvelope(organization, name);
}
