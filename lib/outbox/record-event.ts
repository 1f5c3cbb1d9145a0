import type { Prisma } from "@/lib/generated/prisma/client";
import type { EventEnvelope } from "@/lib/domain/event";
import { freezeDelivery } from "./freeze";
import { creationRulesMismatch } from "./match";
import { newId } from "@/lib/core/ids";
import type { LeadSnapshot } from "@/lib/domain/lead";

type Tx = Prisma.TransactionClient;

export interface NewEvent {
  organizationId: string;
  type: string;
  lead: LeadSnapshot | null;
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

/**
 * Records an event and, in the same transaction, one PENDING delivery per enabled rule of the
 * organization whose trigger and creation rules match (the transactional outbox). The request is
 * rendered now and frozen on the delivery. With the organization's webhooks switched off the event
 * is still recorded, with no delivery.
 */
export async function recordEvent(tx: Tx, input: NewEvent, now = new Date()): Promise<RecordedEvent> {
  const org = await tx.organization.findUniqueOrThrow({ where: { id: input.organizationId }, select: { id: true, name: true, webhooksEnabled: true } });
  const eventId = newId("evt");
  const envelope: EventEnvelope = {
    id: eventId,
    type: input.type,
    timestamp: now.toISOString(),
    organization: { id: org.id, name: org.name },
    data: { lead: input.lead, ...(input.note ? { note: input.note } : {}), ...(input.changes ? { changes: input.changes } : {}) },
  };
  await tx.event.create({ data: { id: eventId, organizationId: org.id, leadId: input.lead?.id ?? null, type: input.type, payload: envelope as unknown as Prisma.InputJsonValue, createdAt: now } });
  if (!org.webhooksEnabled) return { eventId, deliveryIds: [], deliveries: [], webhooksEnabled: false };

  // Scalar ids only, then one lookup for the names they point at: relation includes would cost
  // a query per relation on every event.
  const rules = await tx.webhookRule.findMany({
    where: { organizationId: org.id, enabled: true, events: { has: input.type } },
    select: {
      id: true, title: true, url: true, method: true, requiresCaseTrackerCode: true,
      headers: true, fieldMappings: true, payloadFormat: true, payloadTemplate: true, wrapInEnvelope: true, conditions: true, timeWindow: true,
      statusId: true, substatusId: true, officeId: true, opportunitySourceId: true, marketingSourceId: true,
      caseTypes: { select: { caseTypeId: true } },
    },
  });
  let matching = rules;
  if (input.lead && rules.length) {
    const ids = new Set<string>();
    for (const r of rules) {
      for (const id of [r.statusId, r.substatusId, r.officeId, r.opportunitySourceId, r.marketingSourceId]) if (id) ids.add(id);
      for (const c of r.caseTypes) ids.add(c.caseTypeId);
    }
    const names = new Map(
      ids.size ? (await tx.referenceItem.findMany({ where: { id: { in: [...ids] }, organizationId: org.id }, select: { id: true, name: true } })).map((i) => [i.id, i.name]) : [],
    );
    const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
    matching = rules.filter(
      (r) =>
        creationRulesMismatch(input.type, {
          status: name(r.statusId), substatus: name(r.substatusId), caseTypes: r.caseTypes.map((c) => name(c.caseTypeId)!).filter(Boolean),
          office: name(r.officeId), opportunitySource: name(r.opportunitySourceId), marketingSource: name(r.marketingSourceId),
          requiresCaseTrackerCode: r.requiresCaseTrackerCode,
        }, input.lead!) === null,
    );
  }
  if (!matching.length) return { eventId, deliveryIds: [], deliveries: [], webhooksEnabled: true };

  const deliveries = matching.map((r) =>
    freezeDelivery({ id: newId("dlv"), organizationId: org.id, ruleId: r.id, eventId, leadId: input.lead?.id ?? null }, r, envelope, now),
  );
  await tx.delivery.createMany({ data: deliveries });
  return {
    eventId,
    deliveryIds: deliveries.map((d) => d.id),
    deliveries: deliveries.map((d, i) => ({ id: d.id, ruleId: d.ruleId, ruleTitle: matching[i]!.title })),
    webhooksEnabled: true,
  };
}
