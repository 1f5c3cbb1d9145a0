import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { GuardFailedError, isGuardFailed } from "@/lib/db/sql";
import { runDispatcher, stopDispatcher, wireDispatcher } from "@/lib/delivery/engine/runtime";
import type { DispatchSummary } from "@/lib/delivery/engine/report";
import { QUEUE_POOLS } from "@/lib/delivery/engine/pipeline";
import type { Slots } from "@/lib/delivery/engine/slots";
import { handoffPort } from "@/lib/delivery/handoff";
import { onWake } from "@/lib/delivery/wake";
import { consumeDispatchReport } from "@/lib/health/report";
import { createLead } from "@/lib/leads/mutations";
import { commitEvents } from "@/lib/outbox/commit";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// Lead intake hands new deliveries straight to this process's dispatcher (lib/delivery/handoff.ts):
// written already leased to it in the statement that creates the lead, and started once that
// statement commits and a slot is free, with no claim. What is not handed (past the dispatcher's
// queue, while due deliveries wait in the database, a rule paused by any process, a rule that
// needs more than a slot) is written unleased and claimed as before, and a write that fails gives
// its places back. The dispatcher is wired as the web process wires it (DELIVERY_WORKERS=inline),
// with no ticker.

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;
let wakeUps = 0;

beforeAll(async () => {
  process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
  process.env.ALLOW_INSECURE_URLS = "true";
  resetEnvCache();
  rx = await startReceiver();
  wireDispatcher(consumeDispatchReport);
});
afterEach(async () => {
  await runDispatcher(); // what a test left in flight is recorded before the next one counts
  for (const name of ["DELIVERY_CONCURRENCY", "DELIVERY_PER_RULE_CONCURRENCY", "DELIVERY_PER_HOST_CONCURRENCY"]) delete process.env[name];
  resetEnvCache();
});
afterAll(async () => {
  await stopDispatcher();
  await rx.close();
  delete process.env.ALLOWED_PRIVATE_NETWORKS;
  delete process.env.ALLOW_INSECURE_URLS;
  resetEnvCache();
});

/** An organization with `n` rules posting to the receiver. */
async function orgWithRules(n: number, rule: Record<string, unknown> = {}) {
  const { org } = await createWebhookOrg(prisma());
  const rules = [];
  for (let i = 0; i < n; i++) {
    rules.push(await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: `R${i}`, events: ["lead.created"], url: `${rx.url}/r${i}`, ...rule } }));
  }
  return { org, rules };
}

const arrivedFor = (ids: readonly string[]) => rx.received.filter((r) => ids.includes(String(r.headers["webhook-id"])));

/** The process's dispatcher runtime (engine/runtime.ts): the dispatch running now, if any, and its slots. */
const runtimeNow = () => (globalThis as unknown as Record<symbol, { running: Promise<DispatchSummary> | null; slots: Slots }>)[Symbol.for("leadhooks.dispatcher")]!;
const runningDispatch = () => runtimeNow().running;

/** A receiver that answers after `delayMs`, counting the requests it holds at once (`most`). */
async function countingReceiver(delayMs: number) {
  let holding = 0;
  const counts = { most: 0 };
  const receiver = await startReceiver(() => {
    counts.most = Math.max(counts.most, ++holding);
    setTimeout(() => holding--, delayMs);
    return { status: 200, delayMs };
  });
  return Object.assign(receiver, { counts });
}

/** Points every rule of `rules` at `url`/<rule id>. */
async function pointAt(rules: readonly { id: string }[], url: string) {
  for (const r of rules) await prisma().webhookRule.update({ where: { id: r.id }, data: { url: `${url}/${r.id}` } });
}

/**
 * Creates a lead as the API does (the wake-up after commit counted), with the dispatch the
 * hand-off started for it (still running when createLead returns: its requests take I/O).
 */
async function postLead(orgId: string) {
  const woken = wakeUps;
  const q = await sql();
  const created = await commitEvents(() => createLead(q, orgId, { email: `${newId("l")}@example.test` }));
  return { ...created, woke: wakeUps > woken, run: runningDispatch() };
}

describe(`new deliveries handed to this process's dispatcher (${TEST_DATABASE})`, () => {
  beforeAll(() => {
    // Count wake-ups (the claim's way in) while still starting a dispatch for them, as the runtime does.
    onWake(() => {
      wakeUps++;
      void runDispatcher();
    });
  });

  it("are written leased to it and sent without a claim or a wake-up; each is recorded once", async () => {
    const { org } = await orgWithRules(3);
    const created = await postLead(org.id);
    expect(created.deliveryIds).toHaveLength(3);
    expect([...created.handedIds!].sort()).toEqual([...created.deliveryIds].sort());
    expect(created.woke).toBe(false);
    // Leased to the dispatcher by the statement that created them (no claim has run: see the summary).
    const leases = await prisma().delivery.findMany({ where: { id: { in: created.deliveryIds } }, select: { leaseOwner: true, state: true, attemptCount: true } });
    for (const d of leases) if (d.state === "PENDING") expect(d.leaseOwner).toBe(handoffPort()!.owner);

    const summary = await created.run;
    expect(summary).toMatchObject({ handed: 3, claimed: 0, succeeded: 3 });
    expect(arrivedFor(created.deliveryIds)).toHaveLength(3);
    const rows = await prisma().delivery.findMany({ where: { id: { in: created.deliveryIds } } });
    expect(rows.map((d) => [d.state, d.attemptCount, d.leaseOwner])).toEqual(rows.map(() => ["SUCCEEDED", 1, null]));
    // Signed like any other delivery.
    for (const r of arrivedFor(created.deliveryIds)) expect(r.headers["webhook-signature"]).toMatch(/^v1,/);
  });

  it("deliveries with no free slot wait, leased, in the dispatcher's queue and are sent as slots free: none claimed, one request at a time", async () => {
    process.env.DELIVERY_CONCURRENCY = "2"; // the queue holds 4 or more
    process.env.DELIVERY_PER_HOST_CONCURRENCY = "1";
    resetEnvCache();
    await runDispatcher(); // a run picks up the new limit while nothing is in flight
    const slow = await countingReceiver(20);
    const { org, rules } = await orgWithRules(3);
    await pointAt(rules, slow.url);
    const created = await postLead(org.id);
    expect(created.handedIds!.size).toBe(3);
    expect(created.woke).toBe(false);
    const leases = await prisma().delivery.findMany({ where: { id: { in: created.deliveryIds }, state: "PENDING" }, select: { leaseOwner: true } });
    for (const d of leases) expect(d.leaseOwner).toBe(handoffPort()!.owner);
    expect(await created.run).toMatchObject({ handed: 3, claimed: 0, succeeded: 3 });
    const arrived = slow.received.map((r) => String(r.headers["webhook-id"]));
    await slow.close();
    expect(arrived.sort()).toEqual([...created.deliveryIds].sort());
    expect(slow.counts.most).toBe(1);
    expect([runtimeNow().slots.inFlight, runtimeNow().slots.waiting, runtimeNow().slots.queued]).toEqual([0, 0, 0]);
  });

  it("one rule's queued deliveries are sent in the order their leads came", async () => {
    process.env.DELIVERY_PER_HOST_CONCURRENCY = "1";
    resetEnvCache();
    await runDispatcher();
    const slow = await countingReceiver(10);
    const { org, rules } = await orgWithRules(1);
    await pointAt(rules, slow.url);
    const created = [];
    for (let i = 0; i < 6; i++) created.push(await postLead(org.id));
    expect(created.every((c) => c.handedIds?.size === 1)).toBe(true);
    await Promise.all(created.map((c) => c.run));
    const arrived = slow.received.map((r) => String(r.headers["webhook-id"]));
    await slow.close();
    expect(arrived).toEqual(created.map((c) => c.deliveryIds[0]));
  });

  it("past the queue's limit, deliveries are written unleased, woken for and claimed; every one arrives once", async () => {
    process.env.DELIVERY_CONCURRENCY = "1";
    resetEnvCache();
    await runDispatcher();
    // One slot: the queue holds 1 × its pools' worth (fewer on PostgreSQL, where no other process
    // can take what waits here).
    const limit = TEST_DATABASE === "pglite" ? QUEUE_POOLS.inThread : QUEUE_POOLS.postgres;
    const { org } = await orgWithRules(limit + 1);
    const created = await postLead(org.id);
    expect(created.handedIds!.size).toBe(limit);
    expect(created.woke).toBe(true);
    const left = created.deliveryIds.filter((id) => !created.handedIds!.has(id));
    expect(left).toHaveLength(1);
    await vi.waitFor(async () => expect(await prisma().delivery.count({ where: { id: { in: created.deliveryIds }, state: "SUCCEEDED", attemptCount: 1 } })).toBe(limit + 1), { timeout: 30_000, interval: 100 });
    expect(arrivedFor(created.deliveryIds)).toHaveLength(limit + 1);
    expect(arrivedFor(left)).toHaveLength(1);
  });

  it("a periodic look (the ticker, the cron route) during a run leaves hand-offs open; a wake-up for due deliveries closes them until they are claimed", async () => {
    const slow = await countingReceiver(300);
    const { org, rules } = await orgWithRules(1);
    await pointAt(rules, slow.url);
    const first = await postLead(org.id);
    expect(first.handedIds!.size).toBe(1);
    // The first delivery is in flight for 300 ms: the run is going when these come.
    void runDispatcher(undefined, { why: "look" });
    const afterLook = await postLead(org.id);
    expect(afterLook.handedIds?.size).toBe(1);
    void runDispatcher(); // "due": something was written unleased elsewhere; it goes first
    const afterDue = await postLead(org.id);
    expect(afterDue.handedIds).toBeUndefined();
    expect(afterDue.woke).toBe(true);
    const ids = [first, afterLook, afterDue].flatMap((c) => c.deliveryIds);
    await vi.waitFor(async () => expect(await prisma().delivery.count({ where: { id: { in: ids }, state: "SUCCEEDED", attemptCount: 1 } })).toBe(3), { timeout: 20_000, interval: 100 });
    const arrived = slow.received.map((r) => String(r.headers["webhook-id"]));
    await slow.close();
    expect(arrived.sort()).toEqual([...ids].sort());
  });

  it("a rule paused by another process's breaker gets its delivery unleased and unsent; its slot is free again", async () => {
    process.env.DELIVERY_CONCURRENCY = "2";
    resetEnvCache();
    await runDispatcher();
    const { org, rules } = await orgWithRules(2);
    // Paused in the database only, as another process's breaker pauses it: this process's breaker knows nothing.
    await prisma().webhookRule.update({ where: { id: rules[1]!.id }, data: { pausedUntil: new Date(Date.now() + 60 * 60_000), pauseReason: "paused elsewhere" } });
    const created = await postLead(org.id);
    const paused = created.deliveries.find((d) => d.ruleId === rules[1]!.id)!.id;
    expect(created.handedIds!.has(paused)).toBe(false);
    expect(created.handedIds!.size).toBe(1);
    await runDispatcher();
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id: paused } });
    expect([row.state, row.leaseOwner, row.attemptCount]).toEqual(["PENDING", null, 0]);
    expect(arrivedFor([paused])).toHaveLength(0);
    // Nothing is left reserved: the next lead's two deliveries are handed.
    expect([runtimeNow().slots.inFlight, runtimeNow().slots.waiting, runtimeNow().slots.queued]).toEqual([0, 0, 0]);
    const next = await orgWithRules(2);
    expect((await postLead(next.org.id)).handedIds!.size).toBe(2);
  });

  it("a write that fails gives its reserved places back", async () => {
    process.env.DELIVERY_CONCURRENCY = "1";
    resetEnvCache();
    await runDispatcher();
    const { org } = await orgWithRules(1);
    const failing = { text: `SELECT 1 WHERE false`, params: [] };
    const refused = await createLead(await sql(), org.id, { email: "refused@example.test" }, { guard: failing }).catch((err: unknown) => err);
    expect(isGuardFailed(refused)).toBe(true);
    expect(refused).toBeInstanceOf(GuardFailedError);
    expect(await prisma().lead.count({ where: { organizationId: org.id } })).toBe(0);
    expect(runtimeNow().slots.waiting).toBe(0);
    // The next lead's delivery is handed.
    expect((await postLead(org.id)).handedIds!.size).toBe(1);
  });

  it("the rule's streak of failures is read as the delivery is written: a handed success resets it", async () => {
    const { org, rules } = await orgWithRules(1);
    await prisma().webhookRule.update({ where: { id: rules[0]!.id }, data: { consecutiveFailures: 3 } });
    const created = await postLead(org.id);
    expect(created.handedIds!.size).toBe(1);
    expect(await created.run).toMatchObject({ handed: 1, succeeded: 1 });
    await vi.waitFor(async () => expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: rules[0]!.id } })).consecutiveFailures).toBe(0), { timeout: 10_000 });
  });

  it.each([
    { needs: "ordering per lead", rule: { orderedPerLead: true } },
    { needs: "duplicate suppression", rule: { duplicateSuppression: { match: "email", field: null, days: 30 } } },
    { needs: "a cap", rule: { deliveryLimits: { caps: { hour: 100 } } } },
  ])("a rule with $needs is claimed (the claim applies it), not handed", async ({ rule }) => {
    const { org, rules } = await orgWithRules(1, rule);
    const created = await postLead(org.id);
    expect(created.handedIds).toBeUndefined();
    expect(created.woke).toBe(true);
    await vi.waitFor(async () => expect(await prisma().delivery.count({ where: { ruleId: rules[0]!.id, state: "SUCCEEDED" } })).toBe(1), { timeout: 20_000 });
  });

  it("a rule that sends batches is not handed: its delivery waits for its batch", async () => {
    const { org } = await orgWithRules(1, { batch: { maxLeads: 50, maxSeconds: 3600, format: "json" } });
    const created = await postLead(org.id);
    expect(created.handedIds).toBeUndefined();
    await runDispatcher();
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id: created.deliveryIds[0]! } });
    expect([row.state, row.leaseOwner, row.attemptCount]).toEqual(["PENDING", null, 0]);
  });

  it("a burst of concurrent leads larger than the pool: every delivery arrives once, handed or claimed, within the per-host limit", async () => {
    process.env.DELIVERY_PER_HOST_CONCURRENCY = "8";
    resetEnvCache();
    await runDispatcher();
    const slow = await countingReceiver(20);
    const { org, rules } = await orgWithRules(5);
    await pointAt(rules, slow.url);
    const q = await sql();
    const leads = 300;
    const clients = 32;
    const created: Awaited<ReturnType<typeof createLead>>[] = [];
    let next = 0;
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < leads) {
        next++;
        created.push(await commitEvents(() => createLead(q, org.id, { email: `burst${next}@example.test` })));
      }
    }));
    const ids = created.flatMap((c) => c.deliveryIds);
    expect(ids).toHaveLength(leads * 5);
    const handed = created.reduce((n, c) => n + (c.handedIds?.size ?? 0), 0);
    await vi.waitFor(async () => expect(await prisma().delivery.count({ where: { id: { in: ids }, state: "SUCCEEDED" } })).toBe(ids.length), { timeout: 60_000, interval: 200 });
    const arrived = slow.received.map((r) => String(r.headers["webhook-id"]));
    await slow.close();
    expect(new Set(arrived).size).toBe(ids.length);
    expect(arrived).toHaveLength(ids.length);
    expect(handed).toBeGreaterThan(0);
    expect(slow.counts.most).toBeLessThanOrEqual(8);
    expect([runtimeNow().slots.inFlight, runtimeNow().slots.waiting, runtimeNow().slots.queued]).toEqual([0, 0, 0]);
  }, 90_000);

  it("a stopped dispatcher takes no hand-off: deliveries are left for the claim", async () => {
    const { org } = await orgWithRules(1);
    await stopDispatcher();
    expect(handoffPort()).toBeNull();
    const created = await createLead(await sql(), org.id, { email: "after-stop@example.test" });
    expect(created.handedIds).toBeUndefined();
    const row = await prisma().delivery.findUniqueOrThrow({ where: { id: created.deliveryIds[0]! } });
    expect([row.state, row.leaseOwner]).toEqual(["PENDING", null]);
  });
});
