import { sql } from "@/lib/db";
import { describe, expect, it, vi } from "vitest";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { addNote, createLead, updateLead } from "@/lib/leads/mutations";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver, type Received } from "../helpers/receiver";

// Ordering per lead, with several dispatchers claiming at once: a lead's deliveries to an ordered
// rule go one at a time in the order of their events (createdAt, then id); other leads are not
// held up; an unordered rule sends a lead's deliveries together, as before. The API sets it.

process.env.ALLOW_INSECURE_URLS = "true";
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();

const EVENTS = ["lead.created", "lead.updated", "lead.note_added"];
const HOUR = 3_600_000;

const leadOf = (r: Received) => (JSON.parse(r.body) as { data: { lead: { id: string } } }).data.lead.id;
const typeOf = (r: Received) => (JSON.parse(r.body) as { type: string }).type;

/** A rule on the three events sending to `url`, retrying an hour after a failure. */
async function rule(orgId: string, url: string, orderedPerLead: boolean) {
  return prisma().webhookRule.create({
    data: { id: newId("rule"), organizationId: orgId, title: "Ordered", events: EVENTS, url, orderedPerLead, retryPolicy: { kind: "schedule", delaysSeconds: [0, 3600] } },
  });
}

/** A lead with its three events, one after the other: created, updated, note added. */
async function leadWithThreeEvents(orgId: string, email: string) {
  const { lead } = await createLead(await sql(), orgId, { email });
  await updateLead(prisma(), orgId, lead.id, { firstName: "Ada" });
  await addNote(prisma(), orgId, lead.id, { body: "Called back" });
  return lead.id;
}

/** The lead's deliveries to the rule in event order (createdAt, then id), as the claim orders them. */
async function inEventOrder(ruleId: string, leadId: string) {
  const rows = await prisma().delivery.findMany({ where: { ruleId, leadId }, include: { event: true } });
  return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
}

/** Three dispatchers claiming at once, at `at` ms from now, small claims so that they interleave. */
const threeDispatchers = (at = 0) =>
  Promise.all([1, 2, 3].map((n) => dispatchBatch({ prisma: prisma(), client, owner: `o${n}`, batchSize: 2, now: () => new Date(Date.now() + at) })));

/** Runs rounds of three dispatchers until `done` holds (at most `rounds`). */
async function until(done: () => Promise<boolean>, at = 0, rounds = 30) {
  for (let i = 0; i < rounds && !(await done()); i++) await threeDispatchers(at);
  expect(await done()).toBe(true);
}

describe(`ordering per lead (${TEST_DATABASE})`, () => {
  it("sends a lead's events in order, the later ones only once the earlier one succeeded; another lead is not held up", async () => {
    let leadA = "";
    // The first request for lead A fails (500, retried in an hour); everything else succeeds.
    const rx = await startReceiver((r) => ({ status: leadOf(r) === leadA && rx.received.filter((x) => leadOf(x) === leadA).length === 1 ? 500 : 200, body: "ok" }));
    const { org } = await createWebhookOrg(prisma());
    const ordered = await rule(org.id, rx.url, true);
    leadA = await leadWithThreeEvents(org.id, "a@example.test");
    const leadB = await leadWithThreeEvents(org.id, "b@example.test");
    const aOrder = await inEventOrder(ordered.id, leadA);
    const bOrder = await inEventOrder(ordered.id, leadB);
    expect(aOrder.map((d) => d.event.type).sort()).toEqual([...EVENTS].sort());

    const sentTo = (lead: string) => rx.received.filter((r) => leadOf(r) === lead);
    // Now: lead A's first delivery fails and waits for its retry; lead A's others stay unsent
    // while lead B's three all go.
    await until(async () => sentTo(leadB).length === 3);
    expect(sentTo(leadA)).toHaveLength(1);
    expect(typeOf(sentTo(leadA)[0]!)).toBe(aOrder[0]!.event.type);
    const waiting = await prisma().delivery.findMany({ where: { id: { in: aOrder.slice(1).map((d) => d.id) } } });
    for (const d of waiting) expect(d).toMatchObject({ state: "PENDING", attemptCount: 0, leaseOwner: null });
    expect(sentTo(leadB).map(typeOf)).toEqual(bOrder.map((d) => d.event.type));

    // Once the retry is due (an hour, with jitter) it succeeds, then the other two go, one after the other.
    await until(async () => sentTo(leadA).length === 4, 2 * HOUR);
    expect(sentTo(leadA).map(typeOf)).toEqual([aOrder[0]!.event.type, ...aOrder.map((d) => d.event.type)]);
    const states = await prisma().delivery.findMany({ where: { ruleId: ordered.id }, select: { state: true } });
    expect(states.every((d) => d.state === "SUCCEEDED")).toBe(true);
    await rx.close();
  });

  it("claims one delivery per lead at a time, also while it is in flight at another dispatcher; a failed one lets the next go", async () => {
    const rx = await startReceiver((r, n) => ({ status: n === 1 ? 400 : 200, delayMs: n === 1 ? 300 : 0 }));
    const { org } = await createWebhookOrg(prisma());
    const ordered = await rule(org.id, rx.url, true);
    const lead = await leadWithThreeEvents(org.id, "c@example.test");
    const order = await inEventOrder(ordered.id, lead);

    // The first is claimed alone, though the claim has room for all three.
    const first = dispatchBatch({ prisma: prisma(), client, owner: "first", batchSize: 10 });
    await vi.waitFor(() => expect(rx.received).toHaveLength(1));
    // While it is in flight a second dispatcher finds nothing of this lead to claim.
    expect((await dispatchBatch({ prisma: prisma(), client, owner: "second", batchSize: 10 })).claimed).toBe(0);
    expect(await first).toMatchObject({ claimed: 1 });
    // It failed for good (a 400 is not retried): FAILED is final, so the next one goes.
    expect((await prisma().delivery.findUniqueOrThrow({ where: { id: order[0]!.id } })).state).toBe("FAILED");
    await until(async () => rx.received.length === 3);
    expect(rx.received.map(typeOf)).toEqual(order.map((d) => d.event.type));
    await rx.close();
  });

  it("an unordered rule claims all of a lead's deliveries at once, as before", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    const unordered = await rule(org.id, rx.url, false);
    const lead = await leadWithThreeEvents(org.id, "d@example.test");
    expect(await dispatchBatch({ prisma: prisma(), client, batchSize: 10 })).toMatchObject({ claimed: 3, succeeded: 3 });
    expect((await inEventOrder(unordered.id, lead)).map((d) => d.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    await rx.close();
  });

  it("is off by default in the API, set by orderedPerLead, and saved on the rule", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    const key = (await createApiKey(prisma(), org.id, "ordering")).key;
    const call = routeCaller(() => key);
    const created = await call(createRoute, { body: { title: "API ordered", url: rx.url, events: EVENTS } });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; orderedPerLead: boolean };
    expect(hook.orderedPerLead).toBe(false);
    expect((await call(patchRoute, { method: "PATCH", id: hook.id, body: { orderedPerLead: true } })).status).toBe(200);
    expect(((await (await call(getRoute, { id: hook.id })).json()) as { orderedPerLead: boolean }).orderedPerLead).toBe(true);
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).orderedPerLead).toBe(true);
    await rx.close();
  });
});
