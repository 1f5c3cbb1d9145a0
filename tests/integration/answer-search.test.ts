import { sql } from "@/lib/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { answerSummary } from "@/lib/delivery/log/answer";
import { writeDeliveriesCsv } from "@/lib/delivery/log/export";
import { parseDeliveryListParams } from "@/lib/delivery/log/list-params";
import { listDeliveries } from "@/lib/delivery/log/queries";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// The delivery log's search finds a delivery by any of the answer values it exports in their own
// columns (remoteId, result, reason, price), and the list shows the same values the CSV has.

const prisma = useTestDatabase();
const client = useLoopbackClient();
let orgId: string;
let close: () => Promise<void>;
afterAll(() => close?.());

beforeAll(async () => {
  orgId = (await createWebhookOrg(prisma(), { name: "Search Co" })).org.id;
  const rx = await startReceiver(() => ({ status: 200, body: JSON.stringify({ id: "R-5", status: "rejected", why: "Out Of Area", cost: "7.25", tier: "gold" }), headers: { "content-type": "application/json" } }));
  close = rx.close;
  const parsers = [
    { name: "remoteId", kind: "json", path: "id" },
    { name: "result", kind: "json", path: "status" },
    { name: "reason", kind: "json", path: "why" },
    { name: "price", kind: "json", path: "cost" },
    { name: "tier", kind: "json", path: "tier" },
  ];
  await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "Buyer", events: ["lead.created"], url: `${rx.url}/buy`, responseRules: { parsers } } });
  await createLead(await sql(), orgId, { email: "searched@example.test" });
  await createLead(await sql(), orgId, { email: "other@example.test" }).then(() => dispatchBatch({ prisma: prisma(), client }));
});

describe("searching the delivery log by the client's answer", () => {
  it("matches the reason and the price as well as the remote id and the result, in any case", async () => {
    for (const q of ["r-5", "REJECTED", "out of area", "7.25"]) expect((await listDeliveries(prisma(), orgId, { q })).total, q).toBe(2);
    expect((await listDeliveries(prisma(), orgId, { q: "no such answer" })).total).toBe(0);
  });

  it("takes % and _ as the characters they are, not as wildcards (R_5 is not R-5)", async () => {
    for (const q of ["%", "R_5", "7%25", "\\"]) expect((await listDeliveries(prisma(), orgId, { q })).total, q).toBe(0);
  });

  it("lists the values the CSV export has, in its column order", async () => {
    const { rows } = await listDeliveries(prisma(), orgId, { q: "searched@example.test" });
    expect(rows).toHaveLength(1);
    expect(answerSummary(rows[0]!.answer)?.shown).toBe("R-5 · rejected · Out Of Area · 7.25 · gold");
    let csv = "";
    await writeDeliveriesCsv(prisma(), orgId, parseDeliveryListParams({ q: "searched@example.test" }), async (chunk) => void (csv += chunk));
    expect(csv.trimEnd().split("\r\n")[1]).toMatch(/,R-5,rejected,Out Of Area,7\.25,"\{""tier"":""gold""\}"$/);
  });
});
