import type { EventEnvelope } from "@/lib/domain/event";
import type { LeadAnswers, LeadSnapshot } from "@/lib/domain/lead";

/**
 * What templates, field mappings and conditions can read. Field paths (`lead.customFields.region`,
 * `event.type`, `note.body`, `answers.rul_….remoteId`) name values in it; see
 * lib/domain/rule/request.ts. `answers` holds what earlier deliveries' response parsers kept from
 * the clients' answers, by rule id (Lead.answers); it is never part of the payload itself.
 */
export interface TemplateContext {
  lead: LeadSnapshot | null;
  event: { id: string; type: string; timestamp: string };
  organization: { id: string; name: string };
  note: NonNullable<EventEnvelope["data"]["note"]> | null;
  changes: NonNullable<EventEnvelope["data"]["changes"]> | null;
  answers: LeadAnswers;
}

export function templateContext(envelope: EventEnvelope, answers: LeadAnswers = {}): TemplateContext {
  return {
    lead: envelope.data.lead,
    event: { id: envelope.id, type: envelope.type, timestamp: envelope.timestamp },
    organization: envelope.organization,
    note: envelope.data.note ?? null,
    changes: envelope.data.changes ?? null,
    answers,
  };
}

/**
 * The value at a dot path (`lead.customFields.region`), or undefined when any step is missing.
 * Custom field names may contain dots themselves (`home.zip`): at each step the longest name that
 * exists wins. Only own properties are followed, so a path can never reach `constructor`,
 * `__proto__` or any other prototype member, whatever the lead's custom field names are.
 */
export function valueAt(root: object, path: string): unknown {
  const keys = path.split(".");
  let current: unknown = root;
  let i = 0;
  while (i < keys.length) {
    if (current === null || typeof current !== "object") return undefined;
    const node = current;
    let j = keys.length;
    while (j > i && !Object.hasOwn(node, keys.slice(i, j).join("."))) j--;
    if (j === i) return undefined;
    current = (node as Record<string, unknown>)[keys.slice(i, j).join(".")];
    i = j;
  }
  return current;
}
