import type { PrismaClient } from "@/lib/generated/prisma/client";
import { waitingForEarlier } from "@/lib/delivery/log/queries";
import { getLead, toSnapshot } from "./mutations";
import { nextAttemptOf } from "@/lib/domain/rule/circuit";

/**
 * The lead with its notes and, per rule, the outcome of its latest delivery; a latest delivery
 * that waits behind an earlier one of the lead to its rule (ordering per lead) is marked
 * waitingForEarlier, as the delivery log marks it.
 */
export async function getLeadWithOutcomes(prisma: PrismaClient, organizationId: string, leadId: string) {
  const lead = await getLead(prisma, organizationId, leadId);
  const [notes, deliveries] = await Promise.all([
    prisma.leadNote.findMany({ where: { leadId: lead.id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
    prisma.delivery.findMany({
      where: { leadId: lead.id, organizationId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: {
        id: true, state: true, attemptCount: true, lastStatusCode: true, lastError: true, createdAt: true, updatedAt: true, nextAttemptAt: true,
        rule: { select: { id: true, title: true, orderedPerLead: true, pausedUntil: true } }, event: { select: { type: true } },
        chainKind: true, parent: { select: { id: true, state: true, lastError: true, rule: { select: { title: true } } } },
      },
    }),
  ]);
  const latestPerRule = new Map<string, (typeof deliveries)[number]>();
  for (const d of deliveries) if (!latestPerRule.has(d.rule.id)) latestPerRule.set(d.rule.id, d);
  const latest = [...latestPerRule.values()];
  const waiting = await waitingForEarlier(prisma, organizationId, latest.map((d) => ({ ...d, lead: { id: lead.id } })));
  return { lead, snapshot: toSnapshot(lead), notes, deliveries, latestPerRule: latest.map((d) => ({ ...d, waitingForEarlier: waiting.has(d.id) })) };
}

/** The REST representation of a lead. */
export async function leadResource(prisma: PrismaClient, organizationId: string, leadId: string) {
  const { snapshot, notes, latestPerRule } = await getLeadWithOutcomes(prisma, organizationId, leadId);
  return {
    ...snapshot,
    notes: notes.map((n) => ({ id: n.id, body: n.body, author: n.author, createdAt: n.createdAt.toISOString() })),
    webhooks: latestPerRule.map((d) => ({
      ruleId: d.rule.id,
      ruleTitle: d.rule.title,
      deliveryId: d.id,
      event: d.event.type,
      state: d.state,
      attempts: d.attemptCount,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      nextAttemptAt: nextAttemptOf(d, d.rule, new Date())?.toISOString() ?? null,
      updatedAt: d.updatedAt.toISOString(),
    })),
  };
}
