import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { POST as postLeadRoute } from "@/app/api/v1/leads/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { runDispatcher, stopDispatcher, wireDispatcher } from "@/lib/delivery/engine/runtime";
import { handoffPort, offerHandoffs, type HandoffPort } from "@/lib/delivery/handoff";
import { encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { onWake } from "@/lib/delivery/wake";
import type { Prisma } from "@/lib/generated/prisma/client";
import { consumeDispatchReport } from "@/lib/health/report";
import { createLead } from "@/lib/leads/mutations";
import { commitEvents } from "@/lib/outbox/commit";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// Edge cases of the hand-off (lead intake writes deliveries leased to this process's
// dispatcher and starts them without a claim). Each test checks one invariant through createLead
// (or the REST route) with the dispatcher wired as the web process wires it.

const prisma = useTestDatabase();

type Rt = { slots: { inFlight: number; backlog: boolean }; inbox: unknown[]; stopping: boolean; owner: string };
const rt = () => (globalThis as unknown as Record<symbol, Rt>)[Symbol.for("leadhooks.dispatcher")]!;

let rx: Awaited<ReturnType<typeof startReceiver>>;
/** Per path: the answer to give (default 200). */
const answers = new Map<string, (n: number) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }>();
const counts = new Map<string, number>();

beforeAll(async () => {
  process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
  process.env.ALLOW_INSECURE_URLS = "true";
  resetEnvCache();
  rx = await startReceiver((req) => {
    const path = req.path.split("?")[0]!;
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    return answers.get(path)?.(n) ?? { status: 200, body: "{}" };
  });
  wireDispatcher(consumeDispatchReport);
  // As the runtime does, plus nothing: a wake-up starts a dispatch.
  onWake(() => void runDispatcher());
});
afterEach(async () => {
  await runDispatcher();
  for (const name of ["DELIVERY_CONCURRENCY", "DELIVERY_PER_RULE_CONCURRENCY", "DELIVERY_PER_HOST_CONCURRENCY"]) delete process.env[name];
  resetEnvCache();
});
afterAll(async () => {
  await stopDispatcher();
  await rx.close();
});

async function org(opts: { autoDisableThreshold?: number } = {}) {
  const { org } = await createWebhookOrg(prisma(), opts);
  const rule = (path: string, data: Partial<Prisma.WebhookRuleUncheckedCreateInput> = {}) =>
    prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: path, events: ["lead.created"], url: `${rx.url}${path}`, ...data } });
  return { org, rule };
}

const post = async (orgId: string, email = `${newId("l")}@example.test`) => commitEvents(async () => createLead(await sql(), orgId, { email }));
const arrived = (path: string) => rx.received.filter((r) => r.path.split("?")[0] === path);
const uniq = () => `/${newId("p")}`;
const ONE_ATTEMPT = { kind: "schedule", delaysSeconds: [0], retryOn4xx: false };

/** Runs the dispatcher (as the ticker would) until `check` passes. */
async function until(check: () => Promise<void>, timeout = 15_000) {
  await vi.waitFor(async () => {
    await runDispatcher();
    await check();
  }, { timeout, interval: 100 });
}

describe(`hand-off: edge cases (${TEST_DATABASE})`, () => {
  it("a handed delivery answered 500 then 200 is retried (claimed) and ends SUCCEEDED with 2 attempts and one webhook-id", async () => {
    const p = uniq();
    answers.set(p, (n) => (n === 1 ? { status: 500, body: "boom" } : { status: 200 }));
    const { org: o, rule } = await org();
    await rule(p, { retryPolicy: { kind: "schedule", delaysSeconds: [0, 1, 1], retryOn4xx: false } });
    const created = await post(o.id);
    expect(created.handedIds?.size).toBe(1);
    const id = created.deliveryIds[0]!;
    await until(async () => expect((await prisma().delivery.findUniqueOrThrow({ where: { id } })).state).toBe("SUCCEEDED"));
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id } });
    expect([row.attemptCount, row.leaseOwner]).toEqual([2, null]);
    expect(await prisma().deliveryAttempt.count({ where: { deliveryId: id } })).toBe(2);
    expect(new Set(arrived(p).map((r) => r.headers["webhook-id"]))).toEqual(new Set([id]));
    expect(arrived(p)).toHaveLength(2);
  });

  it("Retry-After on a handed delivery sets nextAttemptAt at least that far", async () => {
    const p = uniq();
    answers.set(p, () => ({ status: 503, headers: { "retry-after": "30" } }));
    const { org: o, rule } = await org();
    await rule(p, { retryPolicy: { kind: "schedule", delaysSeconds: [0, 1, 1], retryOn4xx: false } });
    const before = Date.now();
    const created = await post(o.id);
    expect(created.handedIds?.size).toBe(1);
    const id = created.deliveryIds[0]!;
    await until(async () => expect((await prisma().delivery.findUniqueOrThrow({ where: { id } })).attemptCount).toBe(1));
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id } });
    expect([row.state, row.leaseOwner]).toEqual(["PENDING", null]);
    expect(row.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 29_000);
    expect(arrived(p)).toHaveLength(1);
  });

  it("410 Gone on a handed delivery disables the rule and passes the lead to its fallback", async () => {
    const p = uniq();
    const fb = uniq();
    answers.set(p, () => ({ status: 410 }));
    const { org: o, rule } = await org();
    const fallback = await rule(fb, { events: ["lead.converted"] });
    const main = await rule(p, { fallbackRuleId: fallback.id });
    const created = await post(o.id);
    expect(created.handedIds?.size).toBe(1);
    await until(async () => expect(arrived(fb)).toHaveLength(1));
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: main.id } })).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone" });
    const parent = await prisma().delivery.findUniqueOrThrow({ where: { id: created.deliveryIds[0]! } });
    expect(parent).toMatchObject({ state: "FAILED", lastStatusCode: 410 });
    await until(async () => expect(await prisma().delivery.findMany({ where: { ruleId: fallback.id }, select: { state: true, parentDeliveryId: true } })).toEqual([{ state: "SUCCEEDED", parentDeliveryId: parent.id }]));
    // The next lead: the disabled rule gets no delivery at all.
    const next = await post(o.id);
    expect(next.deliveryIds).toHaveLength(0);
    expect(arrived(p)).toHaveLength(1);
  });

  it("a handed success passes the lead to the linked rule exactly once", async () => {
    const p = uniq();
    const lk = uniq();
    const { org: o, rule } = await org();
    const linked = await rule(lk, { events: ["lead.converted"] });
    await rule(p, { linkedRuleId: linked.id });
    const created = await post(o.id);
    expect(created.handedIds?.size).toBe(1);
    await until(async () => expect(arrived(lk)).toHaveLength(1));
    await runDispatcher();
    expect(arrived(lk)).toHaveLength(1);
    expect(arrived(p)).toHaveLength(1);
  });

  it("sending window closed ('wait'): not handed, not sent; open: handed and sent", async () => {
    const p = uniq();
    const q = uniq();
    const hour = new Date().getUTCHours();
    const other = (hour + 12) % 24;
    const closed = { enabled: true, days: [0, 1, 2, 3, 4, 5, 6], start: `${String(other).padStart(2, "0")}:00`, end: `${String(other).padStart(2, "0")}:30`, timezone: "UTC", outside: "wait", alternateUrl: "" };
    const open = { ...closed, start: "00:00", end: "23:59" };
    const { org: o, rule } = await org();
    const shut = await rule(p, { timeWindow: closed });
    await rule(q, { timeWindow: open });
    const created = await post(o.id);
    const shutId = created.deliveries.find((d) => d.ruleId === shut.id)!.id;
    expect(created.handedIds?.has(shutId) ?? false).toBe(false);
    await until(async () => expect(arrived(q)).toHaveLength(1));
    await runDispatcher();
    expect(arrived(p)).toHaveLength(0);
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id: shutId } });
    expect([row.state, row.leaseOwner]).toEqual(["PENDING", null]);
  });

  it("sending window closed with fallbackOn outsideWindow: the fallback gets the lead, the windowed rule gets no request", async () => {
    const p = uniq();
    const fb = uniq();
    const hour = new Date().getUTCHours();
    const other = (hour + 12) % 24;
    const closed = { enabled: true, days: [0, 1, 2, 3, 4, 5, 6], start: `${String(other).padStart(2, "0")}:00`, end: `${String(other).padStart(2, "0")}:30`, timezone: "UTC", outside: "wait", alternateUrl: "" };
    const { org: o, rule } = await org();
    const fallback = await rule(fb, { events: ["lead.converted"] });
    await rule(p, { timeWindow: closed, fallbackRuleId: fallback.id, fallbackOn: ["outsideWindow"] });
    await post(o.id);
    await until(async () => expect(arrived(fb)).toHaveLength(1));
    expect(arrived(p)).toHaveLength(0);
  });

  it("Basic auth and signature headers are sent on a handed delivery", async () => {
    const p = uniq();
    const { org: o, rule } = await org();
    await rule(p, { authType: "BASIC", authConfigEncrypted: encryptAuthConfig({ type: "BASIC", username: "amy", password: "pw" } as never) });
    const created = await post(o.id);
    expect(created.handedIds?.size).toBe(1);
    await until(async () => expect(arrived(p)).toHaveLength(1));
    const h = arrived(p)[0]!.headers;
    expect(h.authorization).toBe(`Basic ${Buffer.from("amy:pw").toString("base64")}`);
    expect(h["webhook-signature"]).toMatch(/^v1,/);
    expect(h["webhook-id"]).toBe(created.deliveryIds[0]);
  });

  it("a rule disabled after the organization's settings were cached: the handed delivery is recorded SKIPPED, not sent", async () => {
    const p = uniq();
    const { org: o, rule } = await org();
    const r = await rule(p);
    const stale = await prisma().organization.findUniqueOrThrow({ where: { id: o.id } });
    // The cache holds the rule enabled (version v).
    const first = await post(o.id);
    await until(async () => expect(arrived(p)).toHaveLength(1));
    await prisma().webhookRule.update({ where: { id: r.id }, data: { enabled: false } });
    // A caller that read the organization's row before the change (the API's remembered row).
    const created = await commitEvents(async () =>
      createLead(await sql(), o.id, { email: "stale@example.test" }, { organization: { id: o.id, name: stale.name, webhooksEnabled: true, version: (await prisma().organization.findUniqueOrThrow({ where: { id: o.id } })).configVersion - 1 } }),
    );
    expect(first.deliveryIds).toHaveLength(1);
    expect(created.deliveryIds).toHaveLength(1); // made from the cached rules, which still have the rule enabled
    await until(async () => expect((await prisma().delivery.findUniqueOrThrow({ where: { id: created.deliveryIds[0]! } })).state).not.toBe("PENDING"));
    expect((await prisma().delivery.findUniqueOrThrow({ where: { id: created.deliveryIds[0]! } })).state).toBe("SKIPPED");
    expect(arrived(p)).toHaveLength(1);
  });

  it("auto-disable: handed deliveries that fail for good count up to the threshold and disable the rule", async () => {
    const p = uniq();
    answers.set(p, () => ({ status: 500 }));
    const { org: o, rule } = await org({ autoDisableThreshold: 3 });
    const r = await rule(p, { retryPolicy: ONE_ATTEMPT });
    for (let i = 0; i < 3; i++) {
      const c = await post(o.id);
      expect(c.handedIds?.size).toBe(1);
      await until(async () => expect((await prisma().delivery.findUniqueOrThrow({ where: { id: c.deliveryIds[0]! } })).state).toBe("FAILED"));
    }
    await until(async () => expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ enabled: false, consecutiveFailures: 3 }));
    const after = await post(o.id);
    expect(after.deliveryIds).toHaveLength(0);
    expect(arrived(p)).toHaveLength(3);
  });

  it.each([
    { how: "both handed", handOff: true },
    { how: "both claimed (no hand-off)", handOff: false },
  ])("the failure streak goes back to 0 after a success recorded after a failure sent alongside it ($how)", async ({ handOff }) => {
    const p = uniq();
    // First request fails fast; the second succeeds, but slowly (its outcome is recorded last).
    answers.set(p, (n) => (n === 1 ? { status: 500 } : { status: 200, delayMs: 600 }));
    const { org: o, rule } = await org({ autoDisableThreshold: 10 });
    const r = await rule(p, { retryPolicy: ONE_ATTEMPT });
    const real = handoffPort();
    if (!handOff) offerHandoffs(null);
    let a, b;
    try {
      [a, b] = await Promise.all([post(o.id, "a@example.test"), post(o.id, "b@example.test")]);
    } finally {
      offerHandoffs(real);
    }
    expect((a.handedIds?.size ?? 0) + (b.handedIds?.size ?? 0)).toBe(handOff ? 2 : 0);
    const ids = [...a.deliveryIds, ...b.deliveryIds];
    await until(async () => expect(await prisma().delivery.count({ where: { id: { in: ids }, state: { in: ["SUCCEEDED", "FAILED"] } } })).toBe(2));
    const attempts = await prisma().deliveryAttempt.findMany({ where: { deliveryId: { in: ids } }, orderBy: { startedAt: "asc" } });
    expect(attempts.map((x) => x.statusCode)).toEqual([500, 200]);
    // The most recent outcome is a success: the streak goes back to 0 (it was 1 after the failure).
    await until(async () => expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: r.id } })).consecutiveFailures).toBe(0));
  });

  it("per-rule and total limits hold under a burst of concurrent leads (slow receiver)", async () => {
    process.env.DELIVERY_CONCURRENCY = "3";
    process.env.DELIVERY_PER_RULE_CONCURRENCY = "2";
    resetEnvCache();
    await runDispatcher();
    const paths = [uniq(), uniq()];
    const holding = new Map<string, number>();
    let total = 0;
    let mostTotal = 0;
    const mostRule = new Map<string, number>();
    for (const p of paths) {
      answers.set(p, () => {
        holding.set(p, (holding.get(p) ?? 0) + 1);
        total++;
        mostTotal = Math.max(mostTotal, total);
        mostRule.set(p, Math.max(mostRule.get(p) ?? 0, holding.get(p)!));
        setTimeout(() => {
          holding.set(p, holding.get(p)! - 1);
          total--;
        }, 40);
        return { status: 200, delayMs: 40 };
      });
    }
    const { org: o, rule } = await org();
    for (const p of paths) await rule(p);
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => post(o.id, `burst${i}@example.test`)));
    const ids = created.flatMap((c) => c.deliveryIds);
    await until(async () => expect(await prisma().delivery.count({ where: { id: { in: ids }, state: "SUCCEEDED" } })).toBe(40), 30_000);
    expect(arrived(paths[0]!).length + arrived(paths[1]!).length).toBe(40);
    expect(mostTotal).toBeLessThanOrEqual(3);
    for (const p of paths) expect(mostRule.get(p)).toBeLessThanOrEqual(2);
  }, 40_000);

  it("failed writes in one PGlite turn (guard, duplicate Idempotency-Key) leak no slot and lose no accepted lead", async () => {
    process.env.DELIVERY_CONCURRENCY = "4";
    resetEnvCache();
    await runDispatcher();
    const p = uniq();
    const { org: o, rule } = await org();
    await rule(p);
    const q = await sql();
    const failing = { text: `SELECT 1 WHERE false`, params: [] };
    const refused = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => createLead(q, o.id, { email: `g${i}@example.test` }, { guard: failing })));
    expect(refused.every((s) => s.status === "rejected")).toBe(true);
    expect(rt().slots.inFlight).toBe(0);
    // Two writes in one turn under a passing guard with the same idempotency key: one wins.
    const passing = { text: `SELECT 1`, params: ["x"] as unknown[] };
    const idem = (i: number) => () => [{ table: "IdempotencyKey", columns: { organizationId: "text", key: "text", requestHash: "text", statusCode: "int", response: "jsonb", createdAt: "timestamp" } as const, rows: [{ organizationId: o.id, key: "same-key", requestHash: "h", statusCode: 201, response: { i }, createdAt: new Date() }] }];
    const both = await Promise.allSettled([0, 1].map((i) => commitEvents(() => createLead(q, o.id, { email: `k${i}@example.test` }, { guard: { ...passing, text: `SELECT 1 WHERE $1::text = 'x'` }, alongside: idem(i) }))));
    const ok = both.filter((s) => s.status === "fulfilled");
    expect(ok).toHaveLength(1);
    const won = (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof createLead>>>).value;
    await until(async () => expect(await prisma().delivery.count({ where: { id: { in: won.deliveryIds }, state: "SUCCEEDED" } })).toBe(1));
    expect(await prisma().lead.count({ where: { organizationId: o.id } })).toBe(1);
    expect(arrived(p)).toHaveLength(1);
    await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0));
    // All four slots are free again: a lead to four rules is handed whole.
    const { org: o2, rule: rule2 } = await org();
    for (let i = 0; i < 4; i++) await rule2(uniq());
    expect((await post(o2.id)).handedIds?.size).toBe(4);
  });

  it("REST: two concurrent POSTs with the same Idempotency-Key create one lead, send once, leak nothing", async () => {
    const p = uniq();
    const { org: o, rule } = await org();
    await rule(p);
    const { key } = await createApiKey(prisma(), o.id, "adv");
    const call = routeCaller(() => key);
    const body = { email: "idem@example.test" };
    const res = await Promise.all([0, 1, 2].map(() => call(postLeadRoute, { body, headers: { "idempotency-key": "k-1" } })));
    expect(res.map((r) => r.status).sort()).toEqual([201, 201, 201]);
    const ids = new Set(await Promise.all(res.map(async (r) => ((await r.json()) as { id: string }).id)));
    expect(ids.size).toBe(1);
    await until(async () => expect(arrived(p)).toHaveLength(1));
    await runDispatcher();
    expect(arrived(p)).toHaveLength(1);
    await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0));
  });

  it("no slot leaked after everything above: nothing in flight, a new lead is handed", async () => {
    await runDispatcher();
    await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0));
    expect(rt().inbox).toHaveLength(0);
    const { org: o, rule } = await org();
    await rule(uniq());
    expect((await post(o.id)).handedIds?.size).toBe(1);
  });

  // Last: stops the dispatcher for good.
  it("a lead whose slot was reserved just before stopDispatcher: its delivery is not left leased to the stopped dispatcher", async () => {
    const p = uniq();
    const { org: o, rule } = await org();
    await rule(p);
    const real = handoffPort()!;
    let stopped: Promise<void> | null = null;
    const wrapped: HandoffPort = {
      owner: real.owner, leaseMs: real.leaseMs,
      reserve: (ruleId, host) => {
        const ok = real.reserve(ruleId, host);
        stopped ??= stopDispatcher(); // SIGTERM arrives while this lead's statement runs
        return ok;
      },
      release: real.release, start: real.start,
    };
    offerHandoffs(wrapped);
    const created = await commitEvents(async () => createLead(await sql(), o.id, { email: "stopping@example.test" }));
    await stopped;
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id: created.deliveryIds[0]! } });
    // Either sent (and recorded) before the dispatcher stopped, or left unleased for another process to claim.
    const sent = arrived(p).length;
    expect({ state: row.state, leaseOwner: row.leaseOwner, sent, inbox: rt().inbox.length }).toEqual(
      sent ? { state: "SUCCEEDED", leaseOwner: null, sent: 1, inbox: 0 } : { state: "PENDING", leaseOwner: null, sent: 0, inbox: 0 },
    );
  });
});
