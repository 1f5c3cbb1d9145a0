import type { Prisma } from "@/lib/generated/prisma/client";
import { renderDefaultRequest, type EventEnvelope } from "@/lib/delivery/envelope";
import { creationRulesMismatch } from "@/lib/delivery/match";
import { newId } from "@/lib/ids";
import type { LeadSnapshot } from "@/lib/leads/schema";

type Tx = Prisma.TransactionClient;

export interface NewEvent {
  organizationId: string;
  type: string;
  lead: LeadSnapshot | null;
  note?: EventEnvelope["data"]["note"];
  changes?: EventEnvelope["data"]["changes"];
}

/**
 * Records an event and, in the same transaction, one PENDING delivery per enabled rule of the
 * organization whose trigger and creation rules match (the transactional outbox). The request is
 * rendered now and frozen on the delivery. With the organization's webhooks switched off the event
 * is still recorded, with no delivery.
 */
export async function recordEvent(tx: Tx, input: NewEvent, now = new Date()): Promise<{ eventId: string; deliveryIds: string[] }> {
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
  if (!org.webhooksEnabled) return { eventId, deliveryIds: [] };

  const rules = await tx.webhookRule.findMany({
    where: { organizationId: org.id, enabled: true, events: { has: input.type } },
    select: {
      id: true, url: true, method: true, requiresCaseTrackerCode: true,
      status: { select: { name: true } }, substatus: { select: { name: true } }, office: { select: { name: true } },
      opportunitySource: { select: { name: true } }, marketingSource: { select: { name: true } },
      caseTypes: { select: { caseType: { select: { name: true } } } },
    },
  });
  const matching = input.lead
    ? rules.filter(
        (r) =>
          creationRulesMismatch(input.type, {
            status: r.status?.name ?? null, substatus: r.substatus?.name ?? null, caseTypes: r.caseTypes.map((c) => c.caseType.name),
            office: r.office?.name ?? null, opportunitySource: r.opportunitySource?.name ?? null, marketingSource: r.marketingSource?.name ?? null,
            requiresCaseTrackerCode: r.requiresCaseTrackerCode,
          }, input.lead!) === null,
      )
    : rules;
  if (!matching.length) return { eventId, deliveryIds: [] };

  const request = renderDefaultRequest(envelope);
  const deliveries = matching.map((r) => ({
    id: newId("dlv"),
    organizationId: org.id,
    ruleId: r.id,
    eventId,
    leadId: input.lead?.id ?? null,
    url: r.url,
    method: r.method,
    requestHeaders: request.headers,
    requestBody: request.body,
    nextAttemptAt: now,
    createdAt: now,
  }));
  await tx.delivery.createMany({ data: deliveries });
  return { eventId, deliveryIds: deliveries.map((d) => d.id) };
}
