import type { EventEnvelope } from "@/lib/delivery/envelope";
import type { LeadSnapshot } from "@/lib/leads/schema";

/**
 * What templates, field mappings and conditions can read. Field paths (`lead.customFields.region`,
 * `event.type`, `note.body`) name values in it; see lib/validations/request.ts.
 */
export interface TemplateContext {
  lead: LeadSnapshot | null;
  event: { id: string; type: string; timestamp: string };
  organization: { id: string; name: string };
  note: NonNullable<EventEnvelope["data"]["note"]> | null;
  changes: NonNullable<EventEnvelope["data"]["changes"]> | null;
}

export function templateContext(envelope: EventEnvelope): TemplateContext {
  return {
    lead: envelope.data.lead,
    event: { id: envelope.id, type: envelope.type, timestamp: envelope.timestamp },
    organization: envelope.organization,
    note: envelope.data.note ?? null,
    changes: envelope.data.changes ?? null,
  };
}

/**
 * The value at a dot path (`lead.customFields.region`), or undefined when any step is missing.
 * Only own properties are followed, so a path can never reach `constructor`, `__proto__` or any
 * other prototype member, whatever the lead's custom field names are.
 */
export function valueAt(root: object, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
