import { sql } from "@/lib/db";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { createApiKey } from "@/lib/api/keys";
import { listWebhookLogs } from "@/lib/api/webhooks/logs";
import { getDelivery, listDeliveries } from "@/lib/delivery/log/queries";
import { retryDelivery } from "@/lib/delivery/log/requeue";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { dispatchBatch, dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import type { Batch } from "@/lib/domain/rule/batch";
import { createLead } from "@/lib/leads/mutations";
import { getSigningKeys } from "@/lib/signing/organization-keys";
import { standardSignature } from "@/lib/signing/signature";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver, type Received } from "../helpers/receiver";

// Batches, against a real HTTP receiver and the real dispatcher: a rule with batches on sends its
// deliveries together, one signed request per batch (webhook-id: the batch id), when maxLeads are
// waiting or the oldest has waited maxSeconds; a failed batch is retried as the same batch; every
// delivery records the batch's attempts; two dispatchers at once never split or repeat a batch;
// test sends go alone. The API sets it and refuses it for a body that is not JSON.

process.env.ALLOW_INSECURE_URLS = "true";
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();

type Item = { type: string; data: { lead: { id: string; email: string } } };
const items = (r: Received) => JSON.parse(r.body) as Item[];
const leadIds = (r: Received) => items(r).map((i) => i.data.lead.id);

async function setup(batch: Batch, respond?: Parameters<typeof startReceiver>[0]) {
  const rx = await startReceiver(respond);
  const { org } = await createWebhookOrg(prisma());
  const rule = await prisma().webhookRule.create({
    data: { id: newId("rule"), organizationId: org.id, title: "Batches", events: ["lead.created"], url: rx.url, batch, retryPolicy: { kind: "schedule", delaysSeconds: [0, 3600] } },
  });
  const leads = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await createLead(await sql(), org.id, { email: `lead${i}@example.test`, firstName: `Lead "${i}"` })).lead.id);
    return ids;
  };
  const deliveries = () => prisma().delivery.findMany({ where: { ruleId: rule.id }, include: { attempts: { orderBy: { number: "asc" } } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return { rx, org, rule, leads, deliveries };
}

/** Dispatches (each run looks for batches at its start) until `done` holds, polling for at most `ms`. */
async function until(done: () => boolean | Promise<boolean>, dispatch: () => Promise<unknown>, ms = 15_000) {
  const end = Date.now() + ms;
  while (!(await done()) && Date.now() < end) {
    await dispatch();
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(await done()).toBe(true);
}

describe(`batches (${TEST_DATABASE})`, () => {
  it("sends 5 leads as one signed JSON array once maxLeads are waiting; each delivery records the request", async () => {
    const { rx, org, leads, deliveries } = await setup({ maxLeads: 5, maxSeconds: 3600, format: "json" });
    const ids = await leads(4);
    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 0 });
    expect(rx.received).toHaveLength(0);
    ids.push(...(await leads(1)));
    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 5, succeeded: 5 });
    expect(rx.received).toHaveLength(1);
    const [req] = rx.received;
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(leadIds(req!)).toEqual(ids);
    expect(items(req!).every((i) => i.type === "lead.created")).toBe(true);

    const rows = await deliveries();
    const batchId = rows[0]!.batchId!;
    expect(batchId).toMatch(/^bat_/);
    expect(req!.headers["webhook-id"]).toBe(batchId);
    // Signed like any delivery, over the whole batch body.
    const { current } = await getSigningKeys(prisma(), org.id);
    expect(new Webhook(current.secret).verify(req!.body, req!.headers as Record<string, string>)).toHaveLength(5);
    for (const d of rows) {
      expect(d).toMatchObject({ batchId, state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200 });
      expect(d.attempts).toHaveLength(1);
      expect(d.attempts[0]).toMatchObject({ number: 1, statusCode: 200 });
      expect((d.attempts[0]!.requestHeaders as Record<string, string>)["webhook-id"]).toBe(batchId);
    }
    // The delivery page names the batch and its size; the log lists the batch's deliveries.
    expect((await getDelivery(prisma(), org.id, rows[2]!.id)).batch).toEqual({ id: batchId, size: 5 });
    expect((await listDeliveries(prisma(), org.id, { batchId })).rows.map((d) => d.id).sort()).toEqual(rows.map((d) => d.id).sort());
    expect((await listWebhookLogs(prisma(), org.id, rows[0]!.ruleId, { limit: 10 } as never)).data.map((d) => d.batchId)).toEqual([batchId, batchId, batchId, batchId, batchId]);
    // Sent again by hand, a delivery leaves its batch: it waits for a new one.
    await retryDelivery(prisma(), org.id, rows[0]!.id);
    expect((await prisma().delivery.findUniqueOrThrow({ where: { id: rows[0]!.id } })).batchId).toBeNull();
    expect((await getDelivery(prisma(), org.id, rows[1]!.id)).batch).toEqual({ id: batchId, size: 4 });
    await rx.close();
  });

  it("sends a short batch once its oldest lead has waited maxSeconds", async () => {
    const { rx, leads, deliveries } = await setup({ maxLeads: 10, maxSeconds: 1, format: "json" });
    const ids = await leads(3);
    const oldest = (await deliveries())[0]!.createdAt.getTime();
    // Half a second after the first lead: not yet.
    expect(await dispatchBatch({ prisma: prisma(), client, now: () => new Date(oldest + 500) })).toMatchObject({ claimed: 0 });
    await until(() => rx.received.length === 1, () => dispatchBatch({ prisma: prisma(), client }));
    expect(leadIds(rx.received[0]!)).toEqual(ids);
    expect((await deliveries()).map((d) => d.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    await rx.close();
  });

  it("sends CSV with a header row of the bodies' keys, signed over the CSV", async () => {
    const { rx, org, leads, deliveries } = await setup({ maxLeads: 2, maxSeconds: 3600, format: "csv" });
    await leads(2);
    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 2, succeeded: 2 });
    const [req] = rx.received;
    expect(req!.headers["content-type"]).toBe("text/csv; charset=utf-8");
    const rows = await deliveries();
    const bodies = rows.map((d) => JSON.parse(d.requestBody) as Record<string, unknown>);
    const lines = req!.body.split("\r\n");
    expect(lines[0]).toBe(Object.keys(bodies[0]!).join(","));
    expect(lines).toHaveLength(4); // header, two rows, and the final CRLF
    expect(lines[1]).toContain(`"{""lead"":{""id"":""${rows[0]!.leadId}""`); // nested values as JSON text, quoted
    expect(lines[2]).toContain('""firstName"":""Lead \\""1\\""""');
    const { current } = await getSigningKeys(prisma(), org.id);
    const ts = Number(req!.headers["webhook-timestamp"]);
    expect(String(req!.headers["webhook-signature"]).split(" ")).toContain(standardSignature(current.secret, rows[0]!.batchId!, ts, req!.body));
    await rx.close();
  });

  it("retries a failed batch as the same batch (same webhook-id and body); every delivery records both attempts", async () => {
    const { rx, leads, deliveries } = await setup({ maxLeads: 5, maxSeconds: 3600, format: "json" }, (_r, n) => ({ status: n === 1 ? 500 : 200, body: n === 1 ? "down" : "ok" }));
    await leads(5);
    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 5, retrying: 5 });
    const failed = await deliveries();
    const batchId = failed[0]!.batchId!;
    for (const d of failed) expect(d).toMatchObject({ batchId, state: "PENDING", attemptCount: 1, lastStatusCode: 500 });
    // More leads meanwhile form a batch of their own.
    await leads(5);
    const later = Date.now() + 2 * 3_600_000;
    // (Two hours on, other tests' waiting deliveries are due too: this rule's rows are checked below.)
    await dispatchUntilIdle({ prisma: prisma(), client, now: () => new Date(later) });
    expect(rx.received).toHaveLength(3);
    const again = rx.received.filter((r) => r.headers["webhook-id"] === batchId);
    expect(again).toHaveLength(2);
    expect(again[1]!.body).toBe(again[0]!.body);
    const rows = await deliveries();
    for (const d of rows.filter((x) => x.batchId === batchId)) {
      expect(d).toMatchObject({ state: "SUCCEEDED", attemptCount: 2 });
      expect(d.attempts.map((a) => [a.number, a.statusCode])).toEqual([[1, 500], [2, 200]]);
    }
    const others = rows.filter((x) => x.batchId !== batchId);
    expect(others).toHaveLength(5);
    expect(others.every((d) => d.state === "SUCCEEDED" && d.attemptCount === 1)).toBe(true);
    expect(new Set(others.map((d) => d.batchId)).size).toBe(1);
    await rx.close();
  });

  it("two dispatchers at once over 40 leads with maxLeads 10 send exactly 4 requests, each lead in exactly one", async () => {
    const { rx, leads, deliveries } = await setup({ maxLeads: 10, maxSeconds: 3600, format: "json" }, () => ({ status: 200, delayMs: 30 }));
    const ids = await leads(40);
    const two = () => Promise.all(["a", "b"].map((owner) => dispatchUntilIdle({ prisma: prisma(), client, owner })));
    await until(async () => (await deliveries()).every((d) => d.state === "SUCCEEDED"), two);
    expect(rx.received).toHaveLength(4);
    expect(rx.received.map((r) => items(r).length)).toEqual([10, 10, 10, 10]);
    expect(rx.received.flatMap(leadIds).sort()).toEqual([...ids].sort());
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"])).size).toBe(4);
    const rows = await deliveries();
    for (const r of rx.received) expect(rows.filter((d) => d.batchId === r.headers["webhook-id"]).map((d) => d.leadId).sort()).toEqual(leadIds(r).sort());
    await rx.close();
  });

  it("sends a test send alone and at once", async () => {
    const { rx, leads, deliveries } = await setup({ maxLeads: 5, maxSeconds: 3600, format: "json" });
    await leads(1);
    const [d] = await deliveries();
    await prisma().delivery.update({ where: { id: d!.id }, data: { isTest: true } });
    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(rx.received[0]!.headers["webhook-id"]).toBe(d!.id);
    expect(JSON.parse(rx.received[0]!.body)).toMatchObject({ type: "lead.created" });
    expect((await deliveries())[0]!.batchId).toBeNull();
    await rx.close();
  });

  it("is off by default in the API, set by batch, and refused for a body that is not JSON", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    const key = (await createApiKey(prisma(), org.id, "batches")).key;
    const call = routeCaller(() => key);
    const created = await call(createRoute, { body: { title: "API batches", url: rx.url, events: ["lead.created"] } });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; batch: unknown };
    expect(hook.batch).toEqual({ enabled: false, maxLeads: 100, maxSeconds: 60, format: "json" });
    const on = { enabled: true, maxLeads: 50, maxSeconds: 30, format: "csv" };
    expect((await call(patchRoute, { method: "PATCH", id: hook.id, body: { batch: on } })).status).toBe(200);
    expect(((await (await call(getRoute, { id: hook.id })).json()) as { batch: unknown }).batch).toEqual(on);
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).batch).toEqual({ maxLeads: 50, maxSeconds: 30, format: "csv" });
    const xml = await call(patchRoute, { method: "PATCH", id: hook.id, body: { request: { format: "XML" } } });
    expect(xml.status).toBe(422);
    expect(JSON.stringify(await xml.json())).toContain("Batches need the JSON payload format");
    const tooMany = await call(patchRoute, { method: "PATCH", id: hook.id, body: { batch: { maxLeads: 1001 } } });
    expect(tooMany.status).toBe(422);
    await rx.close();
  });
});
