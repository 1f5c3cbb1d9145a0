import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { retryDelivery, sendDuplicateAnyway } from "@/lib/delivery/log/requeue";
import { getDelivery } from "@/lib/delivery/log/queries";
import { listWebhookLogs } from "@/lib/api/webhooks/logs";
import { addNote, createLead } from "@/lib/leads/mutations";
import type { DuplicateSuppression } from "@/lib/domain/rule/duplicates";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// Duplicate suppression in the engine, against a real HTTP receiver: a duplicate is skipped with
// the earlier delivery's id, "Send anyway" sends it, concurrent dispatchers never both send one key,
// and a rule without the setting sends everything.

const prisma = useTestDatabase();
const client = useLoopbackClient();

async function setup(duplicates: DuplicateSuppression | null, events = ["lead.created"]) {
  const rx = await startReceiver();
  const { org } = await createWebhookOrg(prisma());
  const rule = await prisma().webhookRule.create({
    data: { id: newId("rule"), organizationId: org.id, title: "Buyer", events, url: rx.url, ...(duplicates ? { duplicateSuppression: duplicates } : {}) },
  });
  const lead = async (input: { email?: string; phone?: string }) => (await createLead(await sql(), org.id, input)).lead.id;
  const deliveries = () => prisma().delivery.findMany({ where: { ruleId: rule.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return { rx, org, rule, lead, deliveries };
}

describe("duplicate suppression", () => {
  it("skips a lead with the same email (case and spaces aside), links the earlier delivery, and sends it anyway on request", async () => {
    const { rx, org, lead, deliveries } = await setup({ match: "email", field: null, days: 30 });
    await lead({ email: "Ann@Example.test" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 1, succeeded: 1 });
    await lead({ email: "  ann@example.TEST " });
    await lead({ email: "bob@example.test" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 2, succeeded: 1, skipped: 1 });
    expect(rx.received).toHaveLength(2);

    const [first, duplicate, other] = await deliveries();
    expect(duplicate).toMatchObject({ state: "SKIPPED", duplicateOfId: first!.id, dedupeKey: "email:ann@example.test", attemptCount: 0 });
    expect(duplicate!.lastError).toBe(`Duplicate: this rule sent a lead with the same email within 30 days (delivery ${first!.id})`);
    expect(other).toMatchObject({ state: "SUCCEEDED", duplicateOfId: null });
    expect((await getDelivery(prisma(), org.id, duplicate!.id)).duplicateOfId).toBe(first!.id);
    const logs = await listWebhookLogs(prisma(), org.id, duplicate!.ruleId, { limit: 10 } as never);
    expect(logs.data.find((d) => d.id === duplicate!.id)).toMatchObject({ duplicateOfId: first!.id, isTest: false });

    // A plain retry is checked again (still a duplicate); "Send anyway" sends it.
    await retryDelivery(prisma(), org.id, duplicate!.id);
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 1, skipped: 1 });
    expect(rx.received).toHaveLength(2);
    await sendDuplicateAnyway(prisma(), org.id, duplicate!.id);
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(rx.received).toHaveLength(3);
    expect(rx.received[2]!.headers["webhook-id"]).toBe(duplicate!.id);
    await expect(sendDuplicateAnyway(prisma(), org.id, other!.id)).rejects.toThrow("Only a delivery skipped as a duplicate");
    await rx.close();
  });

  it("counts only earlier deliveries within the window that were sent or are being sent", async () => {
    const { rx, lead, deliveries } = await setup({ match: "phone", field: null, days: 7 });
    await lead({ phone: "+1 555 010 2030" });
    await dispatchUntilIdle({ prisma: prisma(), client });
    const [old] = await deliveries();
    // Eight days ago: outside the 7-day window.
    await prisma().delivery.update({ where: { id: old!.id }, data: { createdAt: new Date(Date.now() - 8 * 86_400_000) } });
    await lead({ phone: "(555) 010-2030" }); // other digits: not the same phone
    await lead({ phone: "15550102030" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 2, succeeded: 2 });
    // A failed earlier delivery never reached the client: a later one with its key is sent.
    const [, , recent] = await deliveries();
    await prisma().delivery.update({ where: { id: recent!.id }, data: { state: "FAILED" } });
    await lead({ phone: "1-555-010-2030" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(rx.received).toHaveLength(4);
    await rx.close();
  });

  it("checks only lead.created deliveries; a rule without the setting sends every lead", async () => {
    const checked = await setup({ match: "lead", field: null, days: 30 }, ["lead.created", "lead.note_added"]);
    const id = await checked.lead({ email: "same@x.test" });
    await addNote(prisma(), checked.org.id, id, { body: "first" });
    await addNote(prisma(), checked.org.id, id, { body: "second" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 3, succeeded: 3 });
    expect((await checked.deliveries()).map((d) => d.dedupeKey)).toEqual([`lead:${id}`, null, null]);

    const plain = await setup(null);
    await plain.lead({ email: "same@x.test" });
    await plain.lead({ email: "same@x.test" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 2, succeeded: 2 });
    expect((await plain.deliveries()).every((d) => d.dedupeKey === null && d.duplicateOfId === null)).toBe(true);
    await checked.rx.close();
    await plain.rx.close();
  });

  it("two dispatchers claiming at once never both send leads with one key", async () => {
    const { rx, lead, deliveries } = await setup({ match: "email", field: null, days: 30 });
    // Three leads in a row per email, each claimed alone: the two dispatchers check one key at once.
    for (let i = 0; i < 24; i++) await lead({ email: `buyer${Math.floor(i / 3)}@x.test` });
    const worker = (owner: string) => dispatchUntilIdle({ prisma: prisma(), client, owner, batchSize: 1 });
    const [a, b] = await Promise.all([worker("a"), worker("b")]);
    expect(a.claimed + b.claimed).toBe(24);
    const sentTo = rx.received.map((r) => (JSON.parse(r.body) as { data: { lead: { email: string } } }).data.lead.email).sort();
    expect(sentTo).toEqual(Array.from({ length: 8 }, (_, i) => `buyer${i}@x.test`));
    const all = await deliveries();
    const sentIds = new Set(all.filter((d) => d.state === "SUCCEEDED").map((d) => d.id));
    const skipped = all.filter((d) => d.state === "SKIPPED");
    expect(skipped).toHaveLength(16);
    expect(skipped.every((d) => sentIds.has(d.duplicateOfId!))).toBe(true);
    await rx.close();
  });
});
