import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { getWebhook } from "@/lib/api/webhooks/queries";
import { newId } from "@/lib/core/ids";
import { Breakers } from "@/lib/delivery/engine/breaker";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { pauseRule } from "@/lib/delivery/engine/pause";
import { getDelivery, listDeliveries } from "@/lib/delivery/log/queries";
import { listWebhookLogs, logsQuerySchema } from "@/lib/api/webhooks/logs";
import { leadResource } from "@/lib/leads/queries";
import { createLead } from "@/lib/leads/mutations";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { listRules } from "@/lib/rules/list";
import { toggleRuleEnabled } from "@/lib/rules/status";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// The circuit breaker's pause is kept on the rule's row: every process's claim respects it (not
// only the process that decided it), and the rule page, the rules list and the API show it.

const prisma = useTestDatabase();
const client = useLoopbackClient();

/** An organization with one rule sending to a receiver that answers 503 while `down.now`, and 5 leads. */
async function failingRule() {
  const down = { now: true };
  const rx = await startReceiver(() => (down.now ? { status: 503, body: "down" } : { status: 200, body: "ok" }));
  const { org } = await createWebhookOrg(prisma());
  const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: rx.url } });
  for (let i = 0; i < 5; i++) await createLead(await sql(), org.id, { email: `cb${i}@x.test` });
  const row = () => prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } });
  const deliveries = () => prisma().delivery.findMany({ where: { ruleId: rule.id } });
  return { down, rx, org, rule, row, deliveries };
}

// Found by a tester: a receiver that refused or reset every connection was never paused (only
// timeouts and 5xx counted), and was sent every attempt of every due delivery.
describe("the circuit breaker counts requests that went unanswered", () => {
  it.each([
    ["refused", async () => {
      const rx = await startReceiver();
      await rx.close(); // nothing listens at its port any more
      return { url: rx.url, close: async () => {} };
    }],
    ["reset", async () => {
      const server = createServer((socket) => socket.destroy());
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
    }],
  ] as const)("a receiver whose connections are %s is paused after the threshold", async (_how, endpoint) => {
    const rx = await endpoint();
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: rx.url } });
    for (let i = 0; i < 5; i++) await createLead(await sql(), org.id, { email: `cut${i}@x.test` });
    const summary = await dispatchUntilIdle({ prisma: prisma(), client, owner: "cut", breakers: new Breakers({ threshold: 2, cooldownMs: 60_000 }), perRuleConcurrency: 1 });
    expect(summary).toMatchObject({ claimed: 2, retrying: 2 });
    const row = await prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } });
    expect(row.pausedUntil!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(await prisma().delivery.count({ where: { ruleId: rule.id, attemptCount: 0 } })).toBe(3); // waiting, not attempted
    await prisma().delivery.updateMany({ where: { ruleId: rule.id }, data: { state: "FAILED", leaseOwner: null } }); // nothing left due for the next test
    await rx.close();
  });
});

describe("the circuit breaker's pause, shared through the database", () => {
  it("is written to the rule when it trips, shown by the API, the rule page and the list, and respected by another process", async () => {
    const { down, rx, org, rule, row, deliveries } = await failingRule();
    const version = async () => (await prisma().organization.findUniqueOrThrow({ where: { id: org.id } })).configVersion;
    const versionBefore = await version();

    const tripped = Date.now();
    const first = new Breakers({ threshold: 2, cooldownMs: 60_000 });
    expect(await dispatchUntilIdle({ prisma: prisma(), client, owner: "first", breakers: first, perRuleConcurrency: 1 })).toMatchObject({ claimed: 2, retrying: 2 });
    const paused = await row();
    expect(paused.pausedUntil!.getTime()).toBeGreaterThanOrEqual(tripped + 60_000);
    expect(paused.pausedUntil!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(paused.pauseReason).toBe(`2 requests in a row unanswered or answered 5xx; a probe request goes out at ${paused.pausedUntil!.toISOString().slice(11, 19)} UTC`);
    // A pause is not a change of settings: the accept path's cached rules stay valid.
    expect(await version()).toBe(versionBefore);

    const api = await getWebhook(prisma(), org.id, rule.id);
    expect(api.circuit).toEqual({ state: "open", pausedUntil: paused.pausedUntil!.toISOString(), reason: paused.pauseReason });
    expect((await getRuleForEdit(prisma(), org.id, rule.id)).paused).toEqual({ until: paused.pausedUntil, reason: paused.pauseReason });
    expect((await listRules(prisma(), org.id)).rows[0]!.paused).toEqual({ until: paused.pausedUntil, reason: paused.pauseReason });

    // Another process (its own breakers, which know nothing of the failures) claims nothing of the
    // paused rule, even with every delivery due; they wait, unattempted ones still at 0 attempts.
    down.now = false;
    await prisma().delivery.updateMany({ where: { ruleId: rule.id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    expect(await dispatchUntilIdle({ prisma: prisma(), client, owner: "second", breakers: new Breakers() })).toMatchObject({ claimed: 0 });
    expect(rx.received).toHaveLength(2);
    const waiting = await deliveries();
    expect(waiting.map((d) => d.state)).toEqual(Array(5).fill("PENDING"));
    expect(waiting.filter((d) => d.attemptCount === 0)).toHaveLength(3);

    // Once the pause has run out, it sends them.
    const later = new Date(paused.pausedUntil!.getTime() + 1000);
    expect(await dispatchUntilIdle({ prisma: prisma(), client, owner: "second", breakers: new Breakers(), now: () => later })).toMatchObject({ claimed: 5, succeeded: 5 });
    expect(rx.received).toHaveLength(7);
    expect((await getWebhook(prisma(), org.id, rule.id, later)).circuit).toEqual({ state: "closed", pausedUntil: null, reason: null });
    await rx.close();
  });

  it("a failed probe pauses the rule again (a later time, another reason); a successful one clears the pause", async () => {
    const { down, rx, org, rule, row, deliveries } = await failingRule();
    const breakers = new Breakers({ threshold: 2, cooldownMs: 60_000 });
    await dispatchUntilIdle({ prisma: prisma(), client, breakers, perRuleConcurrency: 1 });
    const first = (await row()).pausedUntil!;

    const probeTime = new Date(first.getTime() + 1000);
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers, now: () => probeTime })).toMatchObject({ claimed: 1, retrying: 1 });
    const again = await row();
    expect(again.pausedUntil).toEqual(new Date(probeTime.getTime() + 60_000));
    expect(again.pauseReason).toBe(`The probe request also went unanswered or answered 5xx; the next probe goes out at ${again.pausedUntil!.toISOString().slice(11, 19)} UTC`);
    expect((await getWebhook(prisma(), org.id, rule.id, probeTime)).circuit.state).toBe("open");

    down.now = false;
    const resumeTime = new Date(again.pausedUntil!.getTime() + 5 * 60_000); // the failed probe's own retry is due too
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers, now: () => resumeTime })).toMatchObject({ claimed: 5, succeeded: 5 });
    expect(await row()).toMatchObject({ pausedUntil: null, pauseReason: null });
    expect((await deliveries()).map((d) => d.state)).toEqual(Array(5).fill("SUCCEEDED"));
    await rx.close();
  });

  it("deliveries waiting through a pause go oldest first when it ends, those written during the pause after the older ones", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "Paused", events: ["lead.created"], url: rx.url } });
    const base = Date.now() - 10_000;
    /** A lead's delivery, due at `base + n` seconds (distinct due times, as leads a moment apart have). */
    const lead = async (n: number) => {
      const { deliveryIds } = await createLead(await sql(), org.id, { email: `pause${n}@x.test` });
      await prisma().delivery.update({ where: { id: deliveryIds[0]! }, data: { nextAttemptAt: new Date(base + n * 1000) } });
      return deliveryIds[0]!;
    };
    const before = [await lead(1), await lead(2), await lead(3)];
    const until = new Date(Date.now() + 60_000);
    await pauseRule(await sql(), rule.id, until, { threshold: 5 }); // as any process's breaker writes it
    const during = [await lead(4), await lead(5)];
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers: new Breakers(), perRuleConcurrency: 1 })).toMatchObject({ claimed: 0 });
    // Their due times are kept; the admin and the API show the next attempt at the pause's end.
    const first = await prisma().delivery.findUniqueOrThrow({ where: { id: before[0]! } });
    expect(first.nextAttemptAt).toEqual(new Date(base + 1000));
    const shown = until;
    expect((await getDelivery(prisma(), org.id, before[0]!)).nextAttemptAt).toEqual(shown);
    expect((await listDeliveries(prisma(), org.id, { ruleId: rule.id })).rows.map((r) => r.nextAttemptAt)).toEqual(Array(5).fill(shown));
    const logs = await listWebhookLogs(prisma(), org.id, rule.id, logsQuerySchema.parse({}));
    expect(logs.data.map((d) => d.nextAttemptAt)).toEqual(Array(5).fill(shown.toISOString()));
    const leadId = first.leadId!;
    expect((await leadResource(prisma(), org.id, leadId)).webhooks[0]!.nextAttemptAt).toBe(shown.toISOString());
    const after = new Date(until.getTime() + 1000);
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers: new Breakers(), perRuleConcurrency: 1, now: () => after })).toMatchObject({ claimed: 5, succeeded: 5 });
    expect(rx.received.map((r) => String(r.headers["webhook-id"]))).toEqual([...before, ...during]);
    await rx.close();
  });

  it("re-enabling a rule clears its pause", async () => {
    const { rx, org, rule, row } = await failingRule();
    await dispatchUntilIdle({ prisma: prisma(), client, breakers: new Breakers({ threshold: 2, cooldownMs: 60_000 }), perRuleConcurrency: 1 });
    await prisma().webhookRule.update({ where: { id: rule.id }, data: { enabled: false } });
    expect((await row()).pausedUntil).not.toBeNull();
    await toggleRuleEnabled(prisma(), org.id, rule.id);
    expect(await row()).toMatchObject({ enabled: true, pausedUntil: null, pauseReason: null });
    await rx.close();
  });
});
