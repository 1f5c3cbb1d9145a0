import { sql } from "@/lib/db";
import { afterAll, describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { createLead } from "@/lib/leads/mutations";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// The caps' own time zone: a daily cap resets at midnight in that zone (here Tokyo, UTC+9, whose
// days begin at 15:00 UTC the day before), not in the sending window's zone or UTC; the API
// sets it, refuses a zone that does not exist, and reports the zone the use is counted in.

process.env.ALLOW_INSECURE_URLS = "true";
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();
const receivers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

async function receiver() {
  const rx = await startReceiver(() => ({ status: 200 }));
  receivers.push(rx);
  return rx;
}

const dispatchAt = (iso: string) => Promise.all([1, 2].map((n) => dispatchUntilIdle({ prisma: prisma(), client, owner: `tz${n}`, batchSize: 2, now: () => new Date(iso) })));

describe(`caps counted in their own time zone (${TEST_DATABASE})`, () => {
  it("holds past the cap until midnight in the caps' zone, then sends", async () => {
    const rx = await receiver();
    const { org } = await createWebhookOrg(prisma());
    // A sending window in New York that is always open: the caps' own zone wins over it.
    const timeWindow = { enabled: true, days: [0, 1, 2, 3, 4, 5, 6], start: "00:00", end: "23:59", timezone: "America/New_York", outside: "wait", alternateUrl: "" };
    const rule = await prisma().webhookRule.create({
      data: { id: newId("rule"), organizationId: org.id, title: "Tokyo cap", events: ["lead.created"], url: rx.url, timeWindow, deliveryLimits: { caps: { day: 1 }, timezone: "Asia/Tokyo" } },
    });
    for (const n of [1, 2]) await createLead(await sql(), org.id, { email: `tokyo${n}@example.test` });

    // Days after the deliveries were created (they are due), 23:59 in Tokyo.
    await dispatchAt("2030-01-15T14:59:00Z");
    expect(rx.received).toHaveLength(1);
    const held = await prisma().delivery.findFirstOrThrow({ where: { ruleId: rule.id, state: "PENDING" } });
    expect(held).toMatchObject({ nextAttemptAt: new Date("2030-01-15T15:00:00Z"), lastError: expect.stringContaining("daily cap of 1 delivery") });

    await dispatchAt("2030-01-15T15:00:01Z"); // a new day in Tokyo (still 15 January in UTC and New York)
    expect(rx.received).toHaveLength(2);
  });

  it("is set, read back and checked through the API, and the rule page's use says it", async () => {
    const rx = await receiver();
    const { org } = await createWebhookOrg(prisma());
    const call = routeCaller(() => key);
    const key = (await createApiKey(prisma(), org.id, "tz")).key;
    const limits = { caps: { hour: null, day: 500, week: null, month: null }, timezone: "Asia/Tokyo", whenCapped: "hold", rate: { max: null, per: "second" } };
    const created = await call(createRoute, { body: { title: "API Tokyo", url: rx.url, events: ["lead.created"], limits } });
    expect(created.status).toBe(201);
    const hook = (await created.json()) as { id: string; limits: unknown; usage: { timeZone: string } };
    expect(hook.limits).toEqual(limits);
    expect(hook.usage.timeZone).toBe("Asia/Tokyo");
    expect((await getRuleForEdit(prisma(), org.id, hook.id)).limits?.timeZone).toBe("Asia/Tokyo");

    const bad = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { ...limits, timezone: "Mars/Olympus" } } });
    expect(bad.status).toBe(422);
    expect(Object.keys(((await bad.json()) as { error: { fields: Record<string, string[]> } }).error.fields)).toEqual(["limits.timezone"]);

    // A PATCH without it keeps it; null clears it, and the caps count in UTC again (no sending window).
    const kept = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { caps: { day: 400 } } } });
    expect(((await kept.json()) as { usage: { timeZone: string } }).usage.timeZone).toBe("Asia/Tokyo");
    const cleared = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { timezone: null } } });
    expect(((await cleared.json()) as { usage: { timeZone: string } }).usage.timeZone).toBe("UTC");

    // A time zone (or "skip") chosen before any cap is set is kept for when one is (it was dropped).
    const noCaps = { caps: { hour: null, day: null, week: null, month: null }, timezone: "Asia/Tokyo", whenCapped: "skip", rate: { max: null, per: "second" } };
    const early = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: noCaps } });
    expect(early.status).toBe(200);
    expect(((await early.json()) as { limits: unknown; usage: unknown })).toMatchObject({ limits: noCaps, usage: null });
    const later = await call(patchRoute, { method: "PATCH", id: hook.id, body: { limits: { caps: { day: 10 } } } });
    expect(((await later.json()) as { limits: unknown; usage: { timeZone: string } })).toMatchObject({ limits: { ...noCaps, caps: { ...noCaps.caps, day: 10 } }, usage: { timeZone: "Asia/Tokyo" } });
  });
});
