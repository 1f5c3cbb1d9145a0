import { sql } from "@/lib/db";
import { beforeAll, describe, expect, it } from "vitest";
import { retryDeliveryAction, retryFailedAction } from "@/app/(admin)/deliveries/actions";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { getDelivery, listDeliveries, ruleDeliveryStats } from "@/lib/delivery/log/queries";
import { NotFoundError } from "@/lib/core/errors";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createTestOrg, createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { watchWakeUps } from "../helpers/wake";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// The actions kick the process's dispatcher; here the test dispatches itself (with a client that
// may reach the loopback receiver), so the kick is only observed.
const kick = watchWakeUps();

const prisma = useTestDatabase();
const client = useLoopbackClient();

type Org = Awaited<ReturnType<typeof createTestOrg>>;
const day = (n: number, hour = 12) => new Date(Date.UTC(2026, 0, n, hour, 0, 0));

async function insertRule(organizationId: string, title: string, url = "https://hooks.example.com/x") {
  const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId, title, events: ["lead.created"], url } });
  return rule.id;
}

/** Creates a lead (one delivery per rule) and returns its deliveries keyed by rule id. */
async function leadDeliveries(organizationId: string, input: { email: string; firstName?: string }) {
  const { lead } = await createLead(await sql(), organizationId, input);
  const rows = await prisma().delivery.findMany({ where: { leadId: lead.id } });
  return Object.fromEntries(rows.map((d) => [d.ruleId, d.id]));
}

async function setDelivery(id: string, data: { state: "PENDING" | "SUCCEEDED" | "FAILED" | "SKIPPED"; attemptCount?: number; lastStatusCode?: number | null; createdAt: Date }) {
  await prisma().delivery.update({ where: { id }, data: { attemptCount: 0, lastStatusCode: null, ...data, nextAttemptAt: data.state === "PENDING" ? data.createdAt : null } });
}

// Org A: two rules, three leads, six deliveries in every state; org B: a look-alike.
let a: Org;
let b: Org;
let zapier: string;
let crm: string;
let foreignRule: string;
const d = {} as Record<"d1" | "d2" | "d3" | "d4" | "d5" | "d6" | "foreign", string>;

beforeAll(async () => {
  a = await createWebhookOrg(prisma());
  b = await createWebhookOrg(prisma());
  zapier = await insertRule(a.org.id, "Zapier Intake");
  crm = await insertRule(a.org.id, "CRM Sync");
  foreignRule = await insertRule(b.org.id, "Zapier Intake");
  const ada = await leadDeliveries(a.org.id, { email: "ada@example.test" });
  const bob = await leadDeliveries(a.org.id, { email: "bob@example.test", firstName: "Robert" });
  const carol = await leadDeliveries(a.org.id, { email: "carol@example.test" });
  const foreign = await leadDeliveries(b.org.id, { email: "ada@example.test" });
  Object.assign(d, { d1: ada[zapier], d2: ada[crm], d3: bob[zapier], d4: bob[crm], d5: carol[zapier], d6: carol[crm], foreign: foreign[foreignRule] });
  await setDelivery(d.d1, { state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200, createdAt: day(1) });
  await setDelivery(d.d2, { state: "FAILED", attemptCount: 1, lastStatusCode: 404, createdAt: day(2) });
  await setDelivery(d.d3, { state: "FAILED", attemptCount: 6, lastStatusCode: 503, createdAt: day(3) });
  await setDelivery(d.d4, { state: "PENDING", attemptCount: 1, lastStatusCode: 999, createdAt: day(4) });
  await setDelivery(d.d5, { state: "PENDING", createdAt: day(5) });
  await setDelivery(d.d6, { state: "SKIPPED", createdAt: day(6) });
  await setDelivery(d.foreign, { state: "FAILED", attemptCount: 1, lastStatusCode: 404, createdAt: day(2) });
});

const ids = async (params: Record<string, string>) => (await listDeliveries(prisma(), a.org.id, params)).rows.map((r) => r.id);

describe("listDeliveries", () => {
  it("lists the organization's deliveries newest first, with rule, event, lead and outcome", async () => {
    const page = await listDeliveries(prisma(), a.org.id);
    expect(page.total).toBe(6);
    expect(page.rows.map((r) => r.id)).toEqual([d.d6, d.d5, d.d4, d.d3, d.d2, d.d1]);
    expect(page.rows.find((r) => r.id === d.d4)).toMatchObject({
      rule: { id: crm, title: "CRM Sync" },
      event: { type: "lead.created", label: "Lead Created" },
      lead: { email: "bob@example.test", name: "Robert" },
      state: "PENDING",
      attemptCount: 1,
      lastStatusCode: 999,
    });
  });

  it("filters by rule, state (retrying = pending after an attempt) and status code or class", async () => {
    expect(await ids({ ruleId: zapier })).toEqual([d.d5, d.d3, d.d1]);
    expect(await ids({ ruleId: foreignRule })).toEqual([]);
    expect(await ids({ state: "FAILED" })).toEqual([d.d3, d.d2]);
    expect(await ids({ state: "PENDING" })).toEqual([d.d5, d.d4]);
    expect(await ids({ state: "RETRYING" })).toEqual([d.d4]);
    expect(await ids({ status: "2xx" })).toEqual([d.d1]);
    expect(await ids({ status: "4xx" })).toEqual([d.d2]);
    expect(await ids({ status: "5xx" })).toEqual([d.d3]);
    expect(await ids({ status: "999" })).toEqual([d.d4]);
    expect(await ids({ status: "503" })).toEqual([d.d3]);
    expect(await ids({ ruleId: crm, state: "FAILED", status: "4xx" })).toEqual([d.d2]);
  });

  it("filters by time range: a bare 'to' date includes that day, datetime-local values are UTC", async () => {
    expect(await ids({ from: "2026-01-02", to: "2026-01-04" })).toEqual([d.d4, d.d3, d.d2]);
    expect(await ids({ from: "2026-01-03T12:01" })).toEqual([d.d6, d.d5, d.d4]);
    expect(await ids({ to: "2026-01-02T12:00" })).toEqual([d.d2, d.d1]);
    expect(await ids({ from: "2026-01-05T00:00:00.000Z" })).toEqual([d.d6, d.d5]);
  });

  it("finds by lead email or name, rule title or delivery id, never across organizations", async () => {
    expect(await ids({ q: "BOB@example" })).toEqual([d.d4, d.d3]);
    expect(await ids({ q: "robert" })).toEqual([d.d4, d.d3]);
    expect(await ids({ q: "crm sync" })).toEqual([d.d6, d.d4, d.d2]);
    expect(await ids({ q: d.d5 })).toEqual([d.d5]);
    expect(await ids({ q: d.foreign })).toEqual([]);
    const other = await listDeliveries(prisma(), b.org.id, { q: "ada" });
    expect(other.rows.map((r) => r.id)).toEqual([d.foreign]);
  });

  it("sorts by the URL's key (empty status codes last), ignores bad values and clamps the page", async () => {
    expect(await ids({ sort: "lastStatusCode", dir: "asc" })).toEqual([d.d1, d.d2, d.d3, d.d4, d.d6, d.d5]);
    expect(await ids({ sort: "attempts", dir: "desc" })).toEqual([d.d3, d.d4, d.d2, d.d1, d.d6, d.d5]);
    expect(await ids({ state: "BOGUS", status: "abc", from: "yesterday", ruleId: "" })).toHaveLength(6);
    const page = await listDeliveries(prisma(), a.org.id, { size: "10", page: "9" });
    expect(page).toMatchObject({ page: 1, pageCount: 1, total: 6 });
  });
});

describe("getDelivery and ruleDeliveryStats", () => {
  it("returns the frozen request and the attempts in order; another organization's id is not found", async () => {
    const attempt = (number: number, statusCode: number) => ({
      id: newId("att"), deliveryId: d.d2, number, startedAt: day(2, 12 + number), durationMs: 40, requestUrl: "https://hooks.example.com/x", requestMethod: "POST",
      requestHeaders: { authorization: "Bearer secret-token", "webhook-id": d.d2 }, statusCode, responseBody: "nope",
    });
    await prisma().deliveryAttempt.createMany({ data: [attempt(2, 404), attempt(1, 500)] });
    const detail = await getDelivery(prisma(), a.org.id, d.d2);
    expect(detail.attempts.map((x) => [x.number, x.statusCode])).toEqual([[1, 500], [2, 404]]);
    expect(detail.attempts[0]!.requestHeaders).toEqual({ authorization: "[redacted]", "webhook-id": d.d2 });
    expect(detail.request).toMatchObject({ url: "https://hooks.example.com/x", method: "POST", headers: { "content-type": "application/json" } });
    expect(JSON.parse(detail.request.body)).toMatchObject({ type: "lead.created", data: { lead: { email: "ada@example.test" } } });
    expect(detail).toMatchObject({ rule: { id: crm }, event: { type: "lead.created", label: "Lead Created" }, lead: { email: "ada@example.test" } });
    await expect(getDelivery(prisma(), a.org.id, d.foreign)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getDelivery(prisma(), b.org.id, d.d2)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("counts a rule's week by state, with succeeded / (succeeded + failed) as its success rate", async () => {
    const stats = await ruleDeliveryStats(prisma(), a.org.id, zapier, day(7));
    expect(stats.counts).toEqual({ SUCCEEDED: 1, FAILED: 1, PENDING: 1, SKIPPED: 0 });
    expect(stats.successRate).toBe(0.5);
    expect(stats.recent.map((r) => r.id)).toEqual([d.d5, d.d3, d.d1]);
    // Only deliveries created in the last 7 days count.
    const later = await ruleDeliveryStats(prisma(), a.org.id, zapier, day(9));
    expect(later.counts).toEqual({ SUCCEEDED: 0, FAILED: 1, PENDING: 1, SKIPPED: 0 });
    expect(later.successRate).toBe(0);
    await expect(ruleDeliveryStats(prisma(), a.org.id, foreignRule)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("retryDeliveryAction", () => {
  it("re-sends a FAILED delivery under the same id and webhook-id as attempt n+1, creating nothing else", async () => {
    const rx = await startReceiver((_r, n) => (n === 1 ? { status: 400, body: "bad" } : { status: 200, body: "ok" }));
    const c = await createWebhookOrg(prisma());
    await insertRule(c.org.id, "Receiver", rx.url);
    const { deliveryIds } = await createLead(await sql(), c.org.id, { email: "retry@example.test" });
    const id = deliveryIds[0]!;
    await dispatchBatch({ prisma: prisma(), client });
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "FAILED", attemptCount: 1, lastStatusCode: 400 });
    const counts = async () => Promise.all([prisma().lead.count(), prisma().event.count(), prisma().delivery.count()]);
    const before = await counts();

    await signInAs(prisma(), c.admin.id);
    expect(await retryDeliveryAction({ deliveryId: id })).toEqual({ ok: true, data: { deliveryId: id } });
    expect(kick).toHaveBeenCalledTimes(1);
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ state: "PENDING", attemptCount: 1 });

    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 1, succeeded: 1 });
    const after = await prisma().delivery.findUniqueOrThrow({ where: { id }, include: { attempts: { orderBy: { number: "asc" } } } });
    expect(after).toMatchObject({ state: "SUCCEEDED", attemptCount: 2, lastStatusCode: 200 });
    expect(after.attempts.map((x) => [x.number, x.statusCode])).toEqual([[1, 400], [2, 200]]);
    expect(rx.received).toHaveLength(2);
    expect(rx.received.map((r) => r.headers["webhook-id"])).toEqual([id, id]);
    expect(rx.received[1]!.body).toBe(rx.received[0]!.body);
    expect(await counts()).toEqual(before);
    await rx.close();
  });

  it("refuses viewers and signed-out users, and treats another organization's delivery as not found", async () => {
    await signInAs(prisma(), a.viewer.id);
    expect(await retryDeliveryAction({ deliveryId: d.d2 })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), null);
    expect(await retryDeliveryAction({ deliveryId: d.d2 })).toMatchObject({ ok: false, code: "unauthenticated" });
    await signInAs(prisma(), b.admin.id);
    expect(await retryDeliveryAction({ deliveryId: d.d2 })).toMatchObject({ ok: false, code: "not_found" });
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: d.d2 } })).toMatchObject({ state: "FAILED" });
    expect(kick).not.toHaveBeenCalled();
  });
});

describe("retryFailedAction", () => {
  const state = async (id: string) => (await prisma().delivery.findUniqueOrThrow({ where: { id } })).state;

  it("refuses viewers and bad filters without touching anything", async () => {
    await signInAs(prisma(), a.viewer.id);
    expect(await retryFailedAction({})).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), a.admin.id);
    // A filter that does not parse must not be dropped: that would widen the bulk retry.
    expect(await retryFailedAction({ status: "abc" })).toMatchObject({ ok: false, code: "invalid" });
    expect([await state(d.d2), await state(d.d3), await state(d.foreign)]).toEqual(["FAILED", "FAILED", "FAILED"]);
  });

  it("re-queues only the FAILED deliveries matching the filters, in the caller's organization", async () => {
    await signInAs(prisma(), a.admin.id);
    expect(await retryFailedAction({ state: "SUCCEEDED" })).toEqual({ ok: true, data: { count: 0 } });
    expect(kick).not.toHaveBeenCalled();
    expect(await retryFailedAction({ ruleId: crm, q: "ada" })).toEqual({ ok: true, data: { count: 1 } });
    expect(kick).toHaveBeenCalledTimes(1);
    expect([await state(d.d2), await state(d.d3), await state(d.foreign)]).toEqual(["PENDING", "FAILED", "FAILED"]);
    expect(await retryFailedAction({ ruleId: foreignRule })).toEqual({ ok: true, data: { count: 0 } });
    expect(await retryFailedAction({})).toEqual({ ok: true, data: { count: 1 } });
    expect([await state(d.d3), await state(d.foreign), await state(d.d1), await state(d.d6)]).toEqual(["PENDING", "FAILED", "SUCCEEDED", "SKIPPED"]);
  });
});
