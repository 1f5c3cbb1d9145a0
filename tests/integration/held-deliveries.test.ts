import { sql } from "@/lib/db";
import { afterAll, describe, expect, it } from "vitest";
import { capPeriod } from "@/lib/delivery/policy/caps";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { heldState, ORDERING_MESSAGE } from "@/lib/delivery/policy/held";
import { getDelivery, listDeliveries, ruleDeliveryStats } from "@/lib/delivery/log/queries";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { RuleDeliveriesPanel } from "@/components/delivery-log/rule-deliveries-panel";
import { newId } from "@/lib/core/ids";
import { createLead, updateLead } from "@/lib/leads/mutations";
import { getLeadWithOutcomes } from "@/lib/leads/queries";
import type { Prisma } from "@/lib/generated/prisma/client";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// The delivery log tells a delivery the rule's own controls hold back from one waiting for its
// first try or a retry: held by a cap (until the period resets) or behind an earlier delivery of
// its lead to an ordered rule, on the list and on the delivery's page.

const prisma = useTestDatabase();
const client = useLoopbackClient();
const receivers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

async function rule(organizationId: string, status: number, data: Partial<Prisma.WebhookRuleUncheckedCreateInput>) {
  const rx = await startReceiver(() => ({ status, body: "" }));
  receivers.push(rx);
  return prisma().webhookRule.create({ data: { id: newId("rule"), organizationId, title: "Held", events: ["lead.created", "lead.updated"], url: rx.url, ...data } });
}

/** The rule page's panel of latest deliveries shows `count` of them as Held, saying why. */
async function expectPanelHolds(organizationId: string, ruleId: string, count: number, why: string) {
  const stats = await ruleDeliveryStats(prisma(), organizationId, ruleId);
  expect(stats.recent.filter((d) => heldState(d))).toHaveLength(count);
  const html = renderToStaticMarkup(createElement(RuleDeliveriesPanel, { ruleId, stats }));
  expect(html.match(/>Held</g)).toHaveLength(count);
  expect(html).toContain(why);
}

describe(`held deliveries in the log (${TEST_DATABASE})`, () => {
  it("shows a delivery held by a cap as held, with the cap and the period's end", async () => {
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, 200, { events: ["lead.created"], deliveryLimits: { caps: { hour: 1 } } });
    await createLead(await sql(), org.id, { email: "first@example.test" });
    await createLead(await sql(), org.id, { email: "second@example.test" });
    const now = new Date();
    await dispatchBatch({ prisma: prisma(), client, now: () => now });

    const { rows } = await listDeliveries(prisma(), org.id);
    const held = rows.filter((d) => heldState(d));
    expect(rows.map((d) => d.state).sort()).toEqual(["PENDING", "SUCCEEDED"]);
    expect(held).toHaveLength(1);
    const resets = capPeriod("hour", now, "UTC").end;
    expect(heldState(held[0]!)).toEqual({ reason: expect.stringContaining("hourly cap of 1 delivery"), until: resets });
    expect(heldState(await getDelivery(prisma(), org.id, held[0]!.id))).toEqual(heldState(held[0]!));
    await expectPanelHolds(org.id, held[0]!.rule.id, 1, "hourly cap of 1 delivery");
  });

  it("shows a lead's later delivery to an ordered rule as held while the earlier one retries; the earlier one is not held", async () => {
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, 500, { orderedPerLead: true, retryPolicy: { kind: "schedule", delaysSeconds: [0, 3600] } });
    const { lead } = await createLead(await sql(), org.id, { email: "ordered@example.test" });
    await updateLead(prisma(), org.id, lead.id, { firstName: "Ada" });
    const other = await createLead(await sql(), org.id, { email: "other@example.test" });
    await dispatchBatch({ prisma: prisma(), client });

    const { rows } = await listDeliveries(prisma(), org.id, { sort: "created", dir: "asc" });
    const mine = rows.filter((d) => d.lead?.id === lead.id);
    expect(mine.map((d) => [d.state, d.attemptCount])).toEqual([["PENDING", 1], ["PENDING", 0]]);
    expect(mine.map((d) => heldState(d)?.reason ?? null)).toEqual([null, ORDERING_MESSAGE]);
    expect(heldState(rows.find((d) => d.lead?.id === other.lead.id)!)).toBeNull();
    expect(heldState(await getDelivery(prisma(), org.id, mine[1]!.id))).toEqual({ reason: ORDERING_MESSAGE, until: null });
    expect(heldState(await getDelivery(prisma(), org.id, mine[0]!.id))).toBeNull();
    await expectPanelHolds(org.id, mine[1]!.rule.id, 1, "Sent once the earlier delivery is done.");
    // The lead's page shows each rule's latest delivery: the held one, as held.
    const { latestPerRule } = await getLeadWithOutcomes(prisma(), org.id, lead.id);
    expect(latestPerRule.map((d) => [d.id, heldState(d)])).toEqual([[mine[1]!.id, { reason: ORDERING_MESSAGE, until: null }]]);
    const others = await getLeadWithOutcomes(prisma(), org.id, other.lead.id);
    expect(others.latestPerRule.map((d) => heldState(d))).toEqual([null]);
  });
});
