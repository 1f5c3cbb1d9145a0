import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { dispatchBatch, dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { NO_LIMITS } from "@/lib/domain/rule/limits";
import { createLead } from "@/lib/leads/mutations";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// Edge cases of the lead delivery controls found by a user trying to break them: changed caps
// release what they held, two saves at once never close a chain loop (PostgreSQL runs them truly
// at once), and a batch never carries a lead to another lead's request line.

process.env.ALLOW_INSECURE_URLS = "true";
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();

const dispatch = () => dispatchUntilIdle({ prisma: prisma(), client, owner: "d1" });

describe(`caps changed while deliveries are held (${TEST_DATABASE})`, () => {
  it("raising or removing a cap lets the deliveries it held go now, not when the old period resets", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({
      data: { id: newId("rule"), organizationId: org.id, title: "Capped", events: ["lead.created"], url: rx.url, deliveryLimits: { ...NO_LIMITS, caps: { hour: null, day: null, week: null, month: 2 }, whenCapped: "hold" } },
    });
    for (let i = 0; i < 4; i++) await createLead(await sql(), org.id, { email: `held${i}@x.test` });
    await dispatch();
    expect(rx.received).toHaveLength(2); // the monthly cap holds the other two until next month

    // The admin removes the cap: nothing limits the rule any more.
    const key = (await createApiKey(prisma(), org.id, "breaker")).key;
    const call = routeCaller(() => key);
    const off = await call(patchRoute, { method: "PATCH", id: rule.id, body: { limits: { caps: { month: null } } } });
    expect(off.status).toBe(200);
    await dispatch();
    // The two held deliveries are sent now, not when the month ends.
    expect(rx.received).toHaveLength(4);
    await rx.close();
  });
});

describe(`a sending window changed while deliveries wait for it (${TEST_DATABASE})`, () => {
  it("widening or switching off a closed window lets the deliveries waiting for it go now, not when the old window opens", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    // Open one day a week, not today (UTC): closed now, and for at least two more days.
    const otherDay = (new Date().getUTCDay() + 3) % 7;
    const closed = { enabled: true, days: [otherDay], start: "00:00", end: "23:59", timezone: "UTC", outside: "wait", alternateUrl: "" };
    const rules = await Promise.all(
      ["Widened", "Switched off"].map((title) =>
        prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title, events: ["lead.created"], url: `${rx.url}/${title.split(" ")[0]}`, timeWindow: closed } }),
      ),
    );
    await createLead(await sql(), org.id, { email: "window@x.test" });
    await dispatch();
    expect(rx.received).toHaveLength(0);
    // Due when the window opens (the outbox set that when it recorded the event).
    const waiting = await prisma().delivery.findMany({ where: { organizationId: org.id } });
    // It says why it waits from the start, as a delivery a claim deferred does.
    expect(waiting.map((d) => [d.state, d.attemptCount, d.lastError])).toEqual([
      ["PENDING", 0, "Waiting for the rule's sending window"],
      ["PENDING", 0, "Waiting for the rule's sending window"],
    ]);
    expect(waiting.every((d) => d.nextAttemptAt!.getTime() > Date.now() + 24 * 3600_000)).toBe(true);

    const key = (await createApiKey(prisma(), org.id, "window")).key;
    const call = routeCaller(() => key);
    const widened = await call(patchRoute, { method: "PATCH", id: rules[0]!.id, body: { request: { timeWindow: { ...closed, days: [0, 1, 2, 3, 4, 5, 6] } } } });
    expect(widened.status).toBe(200);
    const off = await call(patchRoute, { method: "PATCH", id: rules[1]!.id, body: { request: { timeWindow: { enabled: false } } } });
    expect(off.status).toBe(200);
    await dispatch();
    expect(rx.received.map((r) => r.path).sort()).toEqual(["/Switched", "/Widened"]);
    expect((await prisma().delivery.findMany({ where: { organizationId: org.id } })).map((d) => d.state)).toEqual(["SUCCEEDED", "SUCCEEDED"]);
    await rx.close();
  });

  it("a window changed but still closed defers them again, to when the new window opens", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    const today = new Date().getUTCDay();
    const closed = { enabled: true, days: [(today + 3) % 7], start: "00:00", end: "23:59", timezone: "UTC", outside: "wait", alternateUrl: "" };
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "Moved", events: ["lead.created"], url: rx.url, timeWindow: closed } });
    await createLead(await sql(), org.id, { email: "moved@x.test" });
    await dispatch();
    const before = await prisma().delivery.findFirstOrThrow({ where: { ruleId: rule.id } });

    const key = (await createApiKey(prisma(), org.id, "window")).key;
    const moved = await routeCaller(() => key)(patchRoute, { method: "PATCH", id: rule.id, body: { request: { timeWindow: { ...closed, days: [(today + 2) % 7] } } } });
    expect(moved.status).toBe(200);
    await dispatch();
    expect(rx.received).toHaveLength(0);
    const after = await prisma().delivery.findFirstOrThrow({ where: { ruleId: rule.id } });
    // Claimed once due, found outside the new window, and deferred to its opening.
    expect(after).toMatchObject({ state: "PENDING", lastError: "Waiting for the rule's sending window", attemptCount: 0 });
    // The new window opens a day earlier than the old one.
    expect(before.nextAttemptAt!.getTime() - after.nextAttemptAt!.getTime()).toBe(24 * 3600_000);
    await rx.close();
  });
});

describe(`loops refused at save, with two saves at once (${TEST_DATABASE})`, () => {
  it("two admins saving A → B and B → A at the same moment never both succeed", async () => {
    const { org } = await createWebhookOrg(prisma());
    const key = (await createApiKey(prisma(), org.id, "breaker")).key;
    const call = routeCaller(() => key);
    let bothSaved = 0;
    for (let round = 0; round < 10; round++) {
      const rule = (title: string) =>
        prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title, events: ["lead.created"], url: "http://127.0.0.1:9/x" } });
      const [a, b] = await Promise.all([rule(`A${round}`), rule(`B${round}`)]);
      const [toB, toA] = await Promise.all([
        call(patchRoute, { method: "PATCH", id: a.id, body: { fallbackRuleId: b.id } }),
        call(patchRoute, { method: "PATCH", id: b.id, body: { fallbackRuleId: a.id } }),
      ]);
      if (toB.status === 200 && toA.status === 200) bothSaved++;
    }
    // One of each pair is refused with 422 (the loop A → B → A).
    expect(bothSaved).toBe(0);
  });
});

describe(`a batch sent with the first lead's request line (${TEST_DATABASE})`, () => {
  it("a batch rule whose method is GET: either refused at save, or every lead of the batch reaches the endpoint before its delivery is SUCCEEDED", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    const key = (await createApiKey(prisma(), org.id, "breaker")).key;
    const call = routeCaller(() => key);
    const created = await call(createRoute, {
      body: { title: "GET batches", url: rx.url, events: ["lead.created"], request: { method: "GET" }, batch: { enabled: true, maxLeads: 3, maxSeconds: 3600, format: "csv" } },
    });
    if (created.status === 422) return; // refused at save: fine
    expect(created.status).toBe(201);
    const leads: string[] = [];
    for (let i = 0; i < 3; i++) leads.push((await createLead(await sql(), org.id, { email: `get${i}@x.test` })).lead.id);
    const pending = async () => (await prisma().delivery.count({ where: { organizationId: org.id, state: "PENDING" } })) > 0;
    for (let end = Date.now() + 15_000; (await pending()) && Date.now() < end; ) {
      await dispatchBatch({ prisma: prisma(), client });
      await new Promise((r) => setTimeout(r, 100));
    }
    const states = (await prisma().delivery.findMany({ where: { organizationId: org.id } })).map((d) => d.state);
    expect(states).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    const seen = rx.received.map((r) => `${r.path} ${r.body}`).join("\n");
    for (const id of leads) expect(seen, id).toContain(id);
    await rx.close();
  });

  it("a batch rule whose URL uses lead values sends each lead to its own URL, not every lead to the first one's", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    const key = (await createApiKey(prisma(), org.id, "breaker")).key;
    const call = routeCaller(() => key);
    const created = await call(createRoute, {
      body: { title: "Per-office batches", url: `${rx.url}/office/{{ lead.firstName }}`, events: ["lead.created"], batch: { enabled: true, maxLeads: 3, maxSeconds: 1, format: "json" } },
    });
    if (created.status === 422) return; // refused at save: fine
    expect(created.status).toBe(201);
    for (const office of ["boston", "denver", "austin"]) await createLead(await sql(), org.id, { email: `${office}@x.test`, firstName: office });
    const pending = async () => (await prisma().delivery.count({ where: { organizationId: org.id, state: "PENDING" } })) > 0;
    for (let end = Date.now() + 15_000; (await pending()) && Date.now() < end; ) {
      await dispatchBatch({ prisma: prisma(), client });
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rx.received.length).toBeGreaterThan(0);
    for (const r of rx.received) {
      const offices = (JSON.parse(r.body) as { data: { lead: { firstName: string } } }[]).map((i) => i.data.lead.firstName);
      for (const office of offices) expect(r.path, `${office}'s lead`).toBe(`/office/${office}`);
    }
    await rx.close();
  });
});
