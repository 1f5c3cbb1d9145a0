import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { capPeriod } from "@/lib/delivery/policy/caps";
import { NO_LIMITS, storedLimitsApply, type DeliveryLimits } from "@/lib/domain/rule/limits";
import { createLead } from "@/lib/leads/mutations";
import { listRules } from "@/lib/rules/list";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// Caps and rate limits with several dispatchers sending at once: on PostgreSQL they really run in
// parallel (each claim reserves in one UPDATE of the rule's usage row); PGlite serializes the
// same dispatchers and must give the same answer.

process.env.ALLOW_INSECURE_URLS = "true";
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();

/** An organization with one rule with these limits sending to a receiver, and `leads` leads. */
async function limitedRule(limits: Partial<DeliveryLimits>, leads: number, respond?: Parameters<typeof startReceiver>[0]) {
  const rx = await startReceiver(respond ?? (() => ({ status: 200, delayMs: 2 })));
  const { org } = await createWebhookOrg(prisma());
  const rule = await prisma().webhookRule.create({
    data: { id: newId("rule"), organizationId: org.id, title: "Capped", events: ["lead.created"], url: rx.url, deliveryLimits: { ...NO_LIMITS, ...limits } },
  });
  for (let i = 0; i < leads; i++) await createLead(await sql(), org.id, { email: `cap${i}@x.test` });
  const deliveries = () => prisma().delivery.findMany({ where: { ruleId: rule.id }, orderBy: { createdAt: "asc" } });
  const usage = () => prisma().ruleUsage.findUniqueOrThrow({ where: { ruleId: rule.id } });
  const notifications = () => prisma().notification.findMany({ where: { ruleId: rule.id, kind: "CAP_REACHED" } });
  return { rx, org, rule, deliveries, usage, notifications };
}

/** Four dispatchers at once, small claims so that they interleave. */
const dispatchers = (now?: () => Date) =>
  Promise.all([1, 2, 3, 4].map((n) => dispatchUntilIdle({ prisma: prisma(), client, owner: `d${n}`, batchSize: 3, perRuleConcurrency: 4, now })));

describe(`caps with several dispatchers (${TEST_DATABASE})`, () => {
  it("hold: exactly the cap is sent; the rest wait for the period to reset, then go (the admins told once per period)", async () => {
    const { rx, deliveries, usage, notifications } = await limitedRule({ caps: { hour: null, day: 7, week: null, month: null }, whenCapped: "hold" }, 20);
    const runs = await dispatchers();
    expect(rx.received).toHaveLength(7);
    expect(runs.reduce((s, r) => s + r.succeeded, 0)).toBe(7);
    if (TEST_DATABASE === "postgres") expect(runs.filter((r) => r.claimed > 0).length).toBeGreaterThan(1); // the claims really were concurrent
    const day = capPeriod("day", new Date(), "UTC");
    const all = await deliveries();
    const held = all.filter((d) => d.state === "PENDING");
    expect(held).toHaveLength(13);
    for (const d of held) expect(d).toMatchObject({ attemptCount: 0, nextAttemptAt: day.end, capCounted: false, leaseOwner: null, lastError: "Held: the rule's daily cap of 7 deliveries is reached; it is sent when the period resets" });
    expect(all.filter((d) => d.capCounted)).toHaveLength(7);
    expect(await usage()).toMatchObject({ dayUsed: 7, dayStart: day.start });
    const told = await notifications();
    expect(told).toHaveLength(1);
    expect(told[0]!.title).toBe('Rule "Capped" reached its daily cap of 7 deliveries');

    // The next day 7 more go, the other 6 wait again, and the admins are told again.
    const tomorrow = new Date(day.end.getTime() + 60_000);
    await dispatchers(() => tomorrow);
    expect(rx.received).toHaveLength(14);
    expect((await deliveries()).filter((d) => d.state === "PENDING")).toHaveLength(6);
    expect(await usage()).toMatchObject({ dayUsed: 7, dayStart: day.end });
    expect(await notifications()).toHaveLength(2);
    await rx.close();
  });

  it("skip: exactly the cap is sent; the rest are SKIPPED with the cap as the reason", async () => {
    const { rx, deliveries, notifications } = await limitedRule({ caps: { hour: 5, day: null, week: null, month: 100 }, whenCapped: "skip" }, 12);
    await dispatchers();
    expect(rx.received).toHaveLength(5);
    const all = await deliveries();
    expect(all.filter((d) => d.state === "SUCCEEDED")).toHaveLength(5);
    const skipped = all.filter((d) => d.state === "SKIPPED");
    expect(skipped).toHaveLength(7);
    for (const d of skipped) expect(d).toMatchObject({ attemptCount: 0, lastError: "Skipped: the rule's hourly cap of 5 deliveries is reached" });
    expect(await notifications()).toHaveLength(1);
    await rx.close();
  });

  it("retries of a delivery do not count again", async () => {
    const tried = new Set<string>();
    const { rx, deliveries, usage } = await limitedRule({ caps: { hour: null, day: 3, week: null, month: null } }, 3, (req) => {
      const id = String(req.headers["webhook-id"]);
      const first = !tried.has(id);
      tried.add(id);
      return { status: first ? 503 : 200 };
    });
    await dispatchers();
    expect((await deliveries()).map((d) => d.state)).toEqual(["PENDING", "PENDING", "PENDING"]);
    const later = new Date(Date.now() + 10 * 60_000); // the retries are due (and still the same day, or a new one: either way no cap stops them)
    await dispatchers(() => later);
    expect((await deliveries()).map((d) => d.state)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
    expect(rx.received).toHaveLength(6);
    expect((await usage()).dayUsed).toBeLessThanOrEqual(3);
    await rx.close();
  });
});

describe(`a rate limit across dispatchers (${TEST_DATABASE})`, () => {
  it("no more than the limit per second reaches the endpoint, and every delivery is sent in the end", async () => {
    const arrivals: number[] = [];
    const { rx, deliveries, usage } = await limitedRule({ rate: { max: 4, per: "second" } }, 16, () => {
      arrivals.push(Date.now());
      return { status: 200 };
    });
    // Two dispatchers, going round like workers do until everything is sent (bounded).
    const deadline = Date.now() + 20_000;
    while (rx.received.length < 16 && Date.now() < deadline) {
      await Promise.all([1, 2].map((n) => dispatchUntilIdle({ prisma: prisma(), client, owner: `r${n}`, batchSize: 10 })));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rx.received).toHaveLength(16);
    expect((await deliveries()).every((d) => d.state === "SUCCEEDED")).toBe(true);
    // 16 requests at 4 a second take at least 4 one-second windows: the last one starts more than
    // 2 seconds after the first one ends (less a little for the receiver's clock).
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(2000 - 100);
    // Per second as the receiver counts them: a window's requests may arrive just after it ends, so
    // at most two windows' worth meet in one second of the receiver's.
    const perSecond = new Map<number, number>();
    for (const t of arrivals) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(8);
    // A full window was marked on the usage row (every claim passed the rule over until it ended).
    expect((await usage()).rateFullUntil).not.toBeNull();
    await rx.close();
  });
});

describe(`limits in the API, the rules list and the rule page (${TEST_DATABASE})`, () => {
  it("are set and read through the API, with each cap's use, and refused when not whole positive numbers", async () => {
    const { org, rx } = await limitedRule({ caps: { hour: null, day: 3, week: null, month: null } }, 0);
    const key = (await createApiKey(prisma(), org.id, "limits")).key;
    const call = routeCaller(() => key);
    const limits = { caps: { hour: null, day: 500, week: null, month: 9000 }, whenCapped: "skip", rate: { max: 10, per: "second" } };
    const created = await call(createRoute, { body: { title: "API capped", url: rx.url, events: ["lead.created"], limits } });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; limits: unknown; usage: { caps: { period: string; used: number; limit: number }[]; timeZone: string } };
    expect(hook.limits).toEqual(limits);
    expect(hook.usage).toMatchObject({ timeZone: "UTC", caps: [{ period: "day", used: 0, limit: 500 }, { period: "month", used: 0, limit: 9000 }] });

    const bad = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { caps: { day: 0 }, rate: { max: 2.5 } } } });
    expect(bad.status).toBe(422);
    const fields = ((await bad.json()) as { error: { fields: Record<string, string[]> } }).error.fields;
    expect(Object.keys(fields).sort()).toEqual(["limits.caps.day", "limits.rate.max"]);

    // Switching every limit off limits nothing (the engine does nothing more for the webhook); the
    // choice of "skip" is kept for the next cap.
    const off = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { caps: { day: null, month: null }, rate: { max: null } } } });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { usage: unknown; limits: unknown })).toMatchObject({ usage: null, limits: { ...NO_LIMITS, whenCapped: "skip" } });
    expect(storedLimitsApply((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).deliveryLimits)).toBe(false);
    const none = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { whenCapped: "hold" } } });
    expect(none.status).toBe(200);
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).deliveryLimits).toBeNull();
    await rx.close();
  });

  it("the list and the rule page show the use against each cap", async () => {
    const { org, rule, rx } = await limitedRule({ caps: { hour: null, day: 3, week: null, month: null }, rate: { max: 5, per: "minute" } }, 2);
    await dispatchers();
    expect(rx.received).toHaveLength(2);
    expect((await listRules(prisma(), org.id)).rows[0]!.limits).toBe("2 / 3 today · 5 requests per minute");
    const edit = await getRuleForEdit(prisma(), org.id, rule.id);
    expect(edit.limits).toMatchObject({ whenCapped: "hold", caps: [{ period: "day", used: 2, limit: 3 }], rate: "5 requests per minute" });
    expect(edit.values.limits).toEqual({ ...NO_LIMITS, caps: { ...NO_LIMITS.caps, day: 3 }, rate: { max: 5, per: "minute" } });
    await rx.close();
  });
});
