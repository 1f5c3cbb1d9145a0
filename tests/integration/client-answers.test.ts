import { sql } from "@/lib/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { writeDeliveriesCsv } from "@/lib/delivery/log/export";
import { parseDeliveryListParams } from "@/lib/delivery/log/list-params";
import { listDeliveries } from "@/lib/delivery/log/queries";
import { newId } from "@/lib/core/ids";
import { createLead, updateLead } from "@/lib/leads/mutations";
import { listWebhookLogs, logsQuerySchema } from "@/lib/api/webhooks/logs";
import type { Prisma } from "@/lib/generated/prisma/client";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// The client's answer, kept: a real receiver answers JSON (or text), the rule's response parser
// extracts remoteId, result and price, the outcome is recorded on the delivery and on the lead
// (Lead.answers, by rule id), a later rule's template and mapping read it as answers.<rule id>,
// and the delivery log finds and exports it.

const prisma = useTestDatabase();
const client = useLoopbackClient();
let org: Awaited<ReturnType<typeof createWebhookOrg>>;
let other: Awaited<ReturnType<typeof createWebhookOrg>>;
const receivers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

async function receiver(body: string, contentType = "application/json") {
  const rx = await startReceiver(() => ({ status: 200, body, headers: { "content-type": contentType } }));
  receivers.push(rx);
  return rx;
}

async function insertRule(organizationId: string, data: Partial<Prisma.WebhookRuleUncheckedCreateInput> & { url: string }) {
  const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId, title: "Buyer", events: ["lead.created"], ...data } });
  return rule.id;
}

const JSON_PARSERS = {
  parsers: [
    { name: "remoteId", kind: "json", path: "data.id" },
    { name: "result", kind: "json", path: "status" },
    { name: "price", kind: "json", path: "data.price" },
  ],
};

beforeAll(async () => {
  org = await createWebhookOrg(prisma(), { name: "Answers Co" });
  other = await createWebhookOrg(prisma(), { name: "Other Co" });
});

describe("the client's answer", () => {
  let buyer: string;
  let leadId: string;

  it("is stored on the delivery and, by rule, on the lead", async () => {
    const rx = await receiver(JSON.stringify({ status: "accepted", data: { id: "A-17", price: 12.5 } }));
    buyer = await insertRule(org.org.id, { url: `${rx.url}/buy`, responseRules: JSON_PARSERS });
    const plain = await insertRule(org.org.id, { url: `${rx.url}/plain`, title: "No parser" });
    const { lead, deliveryIds } = await createLead(await sql(), org.org.id, { email: "ada@example.test", firstName: "Ada" });
    leadId = lead.id;
    await dispatchBatch({ prisma: prisma(), client });

    const deliveries = await prisma().delivery.findMany({ where: { id: { in: deliveryIds } } });
    expect(deliveries.find((d) => d.ruleId === buyer)).toMatchObject({ state: "SUCCEEDED", responseValues: { remoteId: "A-17", result: "accepted", price: "12.5" } });
    expect(deliveries.find((d) => d.ruleId === plain)).toMatchObject({ state: "SUCCEEDED", responseValues: null });
    const stored = await prisma().lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(stored.answers).toEqual({ [buyer]: { remoteId: "A-17", result: "accepted", price: "12.5" } });
    expect(stored.updatedAt).toEqual(lead.updatedAt); // keeping the answer is not an edit of the lead
    await prisma().webhookRule.update({ where: { id: plain }, data: { enabled: false } });
  });

  it("is read by a later rule's template and field mapping as answers.<rule id>", async () => {
    const rx = await receiver("{}");
    await insertRule(org.org.id, {
      url: `${rx.url}/update`,
      events: ["lead.updated"],
      fieldMappings: {
        mode: "custom",
        fields: [
          { target: "remote_id", source: "template", value: `{{ answers.${buyer}.remoteId }}` },
          { target: "result", source: "field", value: `answers.${buyer}.result`, case: "upper" },
          { target: "name", source: "join", value: "lead.firstName, lead.lastName, lead.email", separator: " / " },
        ],
      },
    });
    await updateLead(prisma(), org.org.id, leadId, { lastName: "Lovelace" });
    await dispatchBatch({ prisma: prisma(), client });
    const sent = JSON.parse(rx.received[0]!.body) as { data: { lead: unknown } };
    expect(sent.data.lead).toEqual({ remote_id: "A-17", result: "ACCEPTED", name: "Ada / Lovelace / ada@example.test" });
  });

  it("replaces the rule's entry with its latest answer, read from a text body by a regular expression", async () => {
    const rx = await receiver("OK|REF=B-99|ACCEPTED", "text/plain");
    await prisma().webhookRule.updateMany({ where: { organizationId: org.org.id }, data: { enabled: false } });
    const textBuyer = await insertRule(org.org.id, {
      url: `${rx.url}/text`,
      responseRules: { parsers: [{ name: "remoteId", kind: "regex", path: "REF=([\\w-]+)" }, { name: "result", kind: "regex", path: "\\|(ACCEPTED|REJECTED)$" }] },
    });
    const first = await createLead(await sql(), org.org.id, { email: "bob@example.test" });
    await dispatchBatch({ prisma: prisma(), client });
    const lead = await prisma().lead.findUniqueOrThrow({ where: { id: first.lead.id } });
    expect(lead.answers).toEqual({ [textBuyer]: { remoteId: "B-99", result: "ACCEPTED" } });
  });

  it("is found by the delivery log's search, only in its organization, and exported", async () => {
    const foreignRx = await receiver(JSON.stringify({ status: "accepted", data: { id: "A-17" } }));
    await insertRule(other.org.id, { url: `${foreignRx.url}/x`, responseRules: JSON_PARSERS });
    await createLead(await sql(), other.org.id, { email: "eve@example.test" });
    await dispatchBatch({ prisma: prisma(), client });

    const byRemoteId = await listDeliveries(prisma(), org.org.id, { q: "a-17" });
    expect(byRemoteId.rows.map((r) => r.answer)).toEqual([{ remoteId: "A-17", result: "accepted", price: "12.5" }]);
    const byResult = await listDeliveries(prisma(), org.org.id, { q: "ACCEPTED" });
    expect(byResult.rows).toHaveLength(2);

    // The Webhooks API's logs filter the same way.
    const logs = await listWebhookLogs(prisma(), org.org.id, buyer, logsQuerySchema.parse({ answer: "a-17" }));
    expect(logs.data.map((l) => l.responseValues)).toEqual([{ remoteId: "A-17", result: "accepted", price: "12.5" }]);
    expect((await listWebhookLogs(prisma(), org.org.id, buyer, logsQuerySchema.parse({ answer: "B-99" }))).data).toEqual([]);

    let csv = "";
    const count = await writeDeliveriesCsv(prisma(), org.org.id, parseDeliveryListParams({ q: "A-17" }), async (chunk) => void (csv += chunk), 1);
    expect(count).toBe(1);
    const [header, line] = csv.trimEnd().split("\r\n");
    expect(header).toContain("Remote id,Result,Reason,Price,Other answer values");
    expect(line).toMatch(/,A-17,accepted,,12\.5,$/);
  });

  it("is kept for every rule and lead when several workers record answers for the same leads at once", async () => {
    const rx = await receiver(JSON.stringify({ status: "accepted", data: { id: "C-1" } }));
    await prisma().webhookRule.updateMany({ where: { organizationId: org.org.id }, data: { enabled: false } });
    const rules = await Promise.all([1, 2, 3, 4].map((n) => insertRule(org.org.id, { url: `${rx.url}/many/${n}`, title: `Buyer ${n}`, responseRules: JSON_PARSERS })));
    const leads = [];
    for (const n of [1, 2, 3, 4, 5]) leads.push((await createLead(await sql(), org.org.id, { email: `many-${n}@example.test` })).lead.id);
    await Promise.all([1, 2, 3].map(() => dispatchBatch({ prisma: prisma(), client })));
    await dispatchBatch({ prisma: prisma(), client }); // whatever the concurrent ones left
    const stored = await prisma().lead.findMany({ where: { id: { in: leads } } });
    expect(stored).toHaveLength(5);
    for (const lead of stored) expect(Object.keys(lead.answers as object).sort()).toEqual([...rules].sort());
  });
});
