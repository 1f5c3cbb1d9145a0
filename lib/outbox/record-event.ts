import { insertAll, type Guard, type Sql, type TableRows } from "@/lib/db/sql";
import type { EventEnvelope } from "@/lib/domain/event";
import { freezeDelivery } from "./freeze";
import { creationRulesMismatch } from "./match";
import { newId } from "@/lib/core/ids";
import { hostOf } from "@/lib/core/url";
import type { LeadAnswers, LeadSnapshot } from "@/lib/domain/lead";
import { organizationConfig, type OrganizationConfig } from "./organization-config";

// The transactional outbox: an event is recorded with one delivery per enabled rule of the
// organization whose trigger and creation rules match, in the same statement (or transaction) as
// the change that caused it. Each request is rendered now and frozen on its delivery.

export interface NewEvent {
  organizationId: string;
  type: string;
  lead: LeadSnapshot | null;
  /** The lead's kept client answers (Lead.answers), for templates; not sent as such. */
  answers?: LeadAnswers;
  note?: EventEnvelope["data"]["note"];
  changes?: EventEnvelope["data"]["changes"];
}

export interface RecordedEvent {
  eventId: string;
  deliveryIds: string[];
  /** The delivery created for each matching rule. */
  deliveries: { id: string; ruleId: string; ruleTitle: string }[];
  /** The organization's switch as this transaction read it (off: no deliveries, whatever the rules). */
  webhooksEnabled: boolean;
}

/** An event ready to be written: its row, its deliveries' rows, and what the caller is told. */
export interface PreparedEvent {
  rows: TableRows[];
  recorded: RecordedEvent;
}

const EVENT_COLUMNS = { id: "text", organizationId: "text", leadId: "text", type: "text", payload: "jsonb", createdAt: "timestamp" } as const;
const DELIVERY_COLUMNS = {
  id: "text", organizationId: "text", ruleId: "text", eventId: "text", leadId: "text", state: "enum:DeliveryState", url: "text", host: "text", method: "text",
  requestHeaders: "jsonb", requestBody: "text", nextAttemptAt: "timestamp", skipKind: "enum:SkipKind", lastError: "text", completedAt: "timestamp",
  createdAt: "timestamp", updatedAt: "timestamp",
} as const;

/**
 * Builds an event and its deliveries from the organization's configuration (read by the caller in
 * the same transaction, or here): one PENDING delivery per matching rule, SKIPPED when the rule's
 * conditions turn the lead away, FAILED when its request cannot be rendered. With the
 * organization's webhooks switched off the event is still recorded, with no delivery.
 */
export function prepareEvent(config: OrganizationConfig, input: NewEvent, now = new Date()): PreparedEvent {
  const eventId = newId("evt");
  const envelope: EventEnvelope = {
    id: eventId,
    type: input.type,
    timestamp: now.toISOString(),
    organization: { id: config.id, name: config.name },
    data: { lead: input.lead, ...(input.note ? { note: input.note } : {}), ...(input.changes ? { changes: input.changes } : {}) },
  };
  const leadId = input.lead?.id ?? null;
  const event = { id: eventId, organizationId: config.id, leadId, type: input.type, payload: envelope, createdAt: now };
  const matching = config.webhooksEnabled
    ? config.rules.filter((r) => r.events.includes(input.type) && (!input.lead || creationRulesMismatch(input.type, r.creationRules, input.lead) === null))
    : [];
  const deliveries = matching.map((r) => {
    const frozen = freezeDelivery({ id: newId("dlv"), organizationId: config.id, ruleId: r.id, eventId, leadId }, r.row, envelope, now, r.request(), input.answers);
    return { state: "PENDING", ...frozen, host: hostOf(frozen.url), updatedAt: now };
  });
  return {
    rows: [
      { table: "Event", columns: EVENT_COLUMNS, rows: [event] },
      { table: "Delivery", columns: DELIVERY_COLUMNS, rows: deliveries },
    ],
    recorded: {
      eventId,
      deliveryIds: deliveries.map((d) => d.id),
      deliveries: deliveries.map((d, i) => ({ id: d.id, ruleId: d.ruleId, ruleTitle: matching[i]!.title })),
      webhooksEnabled: config.webhooksEnabled,
    },
  };
}

/**
 * Writes `before` (the change that caused the events, e.g. the new lead), then the events and
 * their deliveries, in one statement: all of it is stored, or none.
 */
export async function writeEvents(q: Sql, events: readonly PreparedEvent[], before: readonly TableRows[] = [], after: readonly TableRows[] = [], guard?: Guard): Promise<void> {
  await insertAll(q, [...before, ...events.flatMap((e) => e.rows), ...after], guard);
}

/** Records one event (and its deliveries) through `q`, which may be a transaction the caller holds. */
export async function recordEvent(q: Sql, input: NewEvent, now = new Date()): Promise<RecordedEvent> {
  const prepared = prepareEvent(await organizationConfig(q, input.organizationId), input, now);
  await writeEvents(q, [prepared]);
  return prepared.recorded;
}

const TEST_DELIVERY_COLUMNS = { ...DELIVERY_COLUMNS, isTest: "boolean", attemptCount: "int", lastStatusCode: "int", responseValues: "jsonb" } as const;

/**
 * A test send (lib/rules/test-send.ts), written once it has ended: its event and its delivery,
 * marked isTest and never queued, then `after` (its attempt), in one statement.
 */
export async function writeTestSend(
  q: Sql,
  event: { id: string; organizationId: string; type: string; payload: EventEnvelope; createdAt: Date },
  delivery: Record<keyof typeof TEST_DELIVERY_COLUMNS, unknown>,
  after: readonly TableRows[],
): Promise<void> {
  await insertAll(q, [
    { table: "Event", columns: EVENT_COLUMNS, rows: [{ ...event, leadId: null }] },
    { table: "Delivery", columns: TEST_DELIVERY_COLUMNS, rows: [delivery] },
    ...after,
  ]);
}
