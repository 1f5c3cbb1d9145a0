import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { runDispatcher, stopDispatcher } from "@/lib/delivery/engine/runtime";
import type { DispatchSummary } from "@/lib/delivery/engine/report";
import type { Slots } from "@/lib/delivery/engine/slots";
import { handoffPort } from "@/lib/delivery/handoff";
import { onWake } from "@/lib/delivery/wake";
import { createLead } from "@/lib/leads/mutations";
import { commitEvents } from "@/lib/outbox/commit";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackDispatcher } from "../helpers/dispatcher";
import { startReceiver } from "../helpers/receiver";

// Adversarial cases of Slots.waiting / behind(): hand-offs held back only for the rules and hosts a
// claim stopped at. Invariants checked: every accepted delivery arrives (succeeds) exactly once,
// each rule's first attempts arrive in creation order, and requests open at the receivers never
// exceed the per-rule, per-host or total limits.

const prisma = useTestDatabase();

type Rt = { rounds: { running: Promise<DispatchSummary> | null }; slots: Slots; breakers: { states: Map<string, unknown> }; owner: string; inbox: unknown[] };
const rt = () => (globalThis as unknown as Record<symbol, Rt>)[Symbol.for("leadhooks.dispatcher")]!;

useLoopbackDispatcher();
let wakeUps = 0;
beforeAll(() => {
  onWake(() => {
    wakeUps++;
    void runDispatcher();
  });
});
const LIMIT_VARS = ["DELIVERY_CONCURRENCY", "DELIVERY_PER_RULE_CONCURRENCY", "DELIVERY_PER_HOST_CONCURRENCY"];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await runDispatcher(undefined, { why: "look" });
  await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0), { timeout: 20_000 });
  // What a test leaves behind must not be sent in the next one.
  await prisma().webhookRule.updateMany({ data: { enabled: false } });
  for (const c of closers.splice(0)) await c();
  for (const name of LIMIT_VARS) delete process.env[name];
  resetEnvCache();
});

async function setLimits(l: { total?: number; perRule?: number; perHost?: number }) {
  await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0), { timeout: 20_000 });
  if (l.total) process.env.DELIVERY_CONCURRENCY = String(l.total);
  if (l.perRule) process.env.DELIVERY_PER_RULE_CONCURRENCY = String(l.perRule);
  if (l.perHost) process.env.DELIVERY_PER_HOST_CONCURRENCY = String(l.perHost);
  resetEnvCache();
  await runDispatcher(undefined, { why: "look" }); // picks the limits up while nothing is in flight
  expect(rt().slots.limits).toMatchObject({ ...(l.total ? { total: l.total } : {}), ...(l.perRule ? { perRule: l.perRule } : {}), ...(l.perHost ? { perHost: l.perHost } : {}) });
}

/** Requests open at once: in all (across this test's receivers), per receiver (host) and per path (rule). */
function meter() {
  const m = { open: 0, most: 0, hostMost: new Map<string, number>(), pathMost: new Map<string, number>() };
  const hostOpen = new Map<string, number>();
  const pathOpen = new Map<string, number>();
  const bump = (map: Map<string, number>, most: Map<string, number>, k: string, by: number) => {
    map.set(k, (map.get(k) ?? 0) + by);
    if (by > 0) most.set(k, Math.max(most.get(k) ?? 0, map.get(k)!));
  };
  return {
    m,
    /** A receiver on its own port (its own host for the limits); `answer` decides each answer. */
    async receiver(answer: (id: string, nthForId: number) => { status: number; delayMs?: number } = () => ({ status: 200 })) {
      const seen = new Map<string, number>();
      let host = "";
      const r = await startReceiver((req) => {
        const id = String(req.headers["webhook-id"]);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        const a = answer(id, seen.get(id)!);
        const path = req.path.split("?")[0]!;
        m.open++;
        m.most = Math.max(m.most, m.open);
        bump(hostOpen, m.hostMost, host, 1);
        bump(pathOpen, m.pathMost, path, 1);
        setTimeout(() => {
          m.open--;
          bump(hostOpen, m.hostMost, host, -1);
          bump(pathOpen, m.pathMost, path, -1);
        }, a.delayMs ?? 0);
        return { status: a.status, delayMs: a.delayMs };
      });
      host = new URL(r.url).host;
      closers.push(r.close);
      const at = (path: string) => r.received.filter((x) => x.path.split("?")[0] === path);
      return {
        ...r,
        host,
        /** Webhook-ids as they first arrived at `path`. */
        firsts: (path: string) => [...new Set(at(path).map((x) => String(x.headers["webhook-id"])))],
        count: (path: string) => at(path).length,
      };
    },
  };
}

/** An organization with one rule posting to `url` (its own org, so a lead makes exactly one delivery). */
async function ruleAt(url: string, rule: Record<string, unknown> = {}) {
  const { org } = await createWebhookOrg(prisma());
  const r = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: url, events: ["lead.created"], url, ...rule } });
  return { orgId: org.id, ruleId: r.id, path: new URL(url).pathname };
}

// Deliveries of a rule go in the order they became due, and those due at the same instant (two
// leads a client posts within one millisecond) oldest first: creation order is the order these
// tests expect.
/** Creates a lead as the API does (wake-up after commit); returns its one delivery's id and whether it was handed. */
async function post(orgId: string) {
  const woken = wakeUps;
  const created = await commitEvents(async () => createLead(await sql(), orgId, { email: `${newId("l")}@example.test` }));
  expect(created.deliveryIds).toHaveLength(1);
  const id = created.deliveryIds[0]!;
  return { id, handed: created.handedIds?.has(id) ?? false, woke: wakeUps > woken };
}

/** Runs the dispatcher as the ticker would (a look: hand-offs stay open) until every one of `ids` is SUCCEEDED. */
async function allSucceeded(ids: readonly string[], timeout = 60_000) {
  await vi.waitFor(async () => {
    void runDispatcher(undefined, { why: "look" });
    expect(await prisma().delivery.count({ where: { id: { in: [...ids] }, state: "SUCCEEDED" } })).toBe(ids.length);
  }, { timeout, interval: 150 });
}

/**
 * A rule's deliveries are sent in creation order, but while `limit` of its requests may be in flight
 * at once, two sent a moment apart travel on different connections and can reach the receiver in
 * either order. What arrival order can show of the send order: when a delivery arrives, every
 * older one that has not arrived yet had not been answered when it was sent, so it was in flight
 * beside it; with at most `limit` in flight, at most `limit - 1` older ones are missing. At a limit
 * of 1 this is exact creation order.
 */
function expectSentInOrder(arrived: readonly string[], created: readonly string[], limit: number, label = "") {
  expect([...arrived].sort(), `${label} arrived once each`).toEqual([...created].sort());
  const at = new Map(arrived.map((id, i) => [id, i]));
  const overtaken = created.flatMap((id, i) => {
    const older = created.slice(0, i).filter((o) => at.get(o)! > at.get(id)!);
    return older.length > limit - 1 ? [`${id} arrived before ${older.length} older: ${older.join(", ")}`] : [];
  });
  expect(overtaken, `${label} sent out of creation order (limit ${limit}); arrived: ${arrived.join(", ")}`).toEqual([]);
}

/** Each client posts its leads one after another (creation order per rule is well defined); the clients run at once. */
async function clients(specs: { orgId: string; n: number }[]) {
  const made = specs.map(() => [] as { id: string; handed: boolean }[]);
  await Promise.all(specs.map(async (s, i) => {
    for (let k = 0; k < s.n; k++) made[i]!.push(await post(s.orgId));
  }));
  return made;
}

describe(`hand-offs wait only behind the rules and hosts a claim stopped at: adversarial cases (${TEST_DATABASE})`, () => {
  it("concurrent clients to rules on shared and separate hosts, some at their per-rule limit: order per rule, limits, exactly once", async () => {
    await setLimits({ total: 6, perRule: 2, perHost: 3 });
    const mt = meter();
    const slowA = await mt.receiver(() => ({ status: 200, delayMs: 80 }));
    const fast = await mt.receiver(() => ({ status: 200, delayMs: 3 }));
    const slowB = await mt.receiver(() => ({ status: 200, delayMs: 150 }));
    const rules = [
      await ruleAt(`${slowA.url}/a`), await ruleAt(`${slowA.url}/b`),
      await ruleAt(`${fast.url}/c`), await ruleAt(`${fast.url}/d`),
      await ruleAt(`${slowB.url}/e`),
    ];
    const rxOf = [slowA, slowA, fast, fast, slowB];
    const made = await clients(rules.map((r) => ({ orgId: r.orgId, n: 15 })));
    const ids = made.flat().map((x) => x.id);
    await allSucceeded(ids);
    rules.forEach((r, i) => {
      expectSentInOrder(rxOf[i]!.firsts(r.path), made[i]!.map((x) => x.id), 2, r.path);
      expect(rxOf[i]!.count(r.path)).toBe(15);
    });
    expect(mt.m.most).toBeLessThanOrEqual(6);
    for (const [, n] of mt.m.hostMost) expect(n).toBeLessThanOrEqual(3);
    for (const [, n] of mt.m.pathMost) expect(n).toBeLessThanOrEqual(2);
    expect(made.flat().filter((x) => x.handed).length).toBeGreaterThan(0);
  }, 90_000);

  it("a host full with one rule's requests holds back another rule on that host (its own order kept), not a rule elsewhere", async () => {
    await setLimits({ perRule: 4, perHost: 2 });
    const mt = meter();
    const slow = await mt.receiver(() => ({ status: 200, delayMs: 400 }));
    const other = await mt.receiver(() => ({ status: 200 }));
    const a = await ruleAt(`${slow.url}/a`);
    const b = await ruleAt(`${slow.url}/b`);
    const c = await ruleAt(`${other.url}/c`);
    const a1 = await post(a.orgId);
    const a2 = await post(a.orgId);
    expect([a1.handed, a2.handed]).toEqual([true, true]); // the host's two slots
    const b1 = await post(b.orgId);
    expect(b1.handed).toBe(false);
    await vi.waitFor(() => expect([rt().slots.backlog, rt().slots.waiting.hosts.has(slow.host)]).toEqual([false, true]), { timeout: 10_000, interval: 5 });
    const c1 = await post(c.orgId);
    expect(c1.handed).toBe(true); // another host: nothing of it waits
    const b2 = await post(b.orgId);
    const a3 = await post(a.orgId);
    expect([b2.handed, a3.handed]).toEqual([false, false]); // behind the host's waiting delivery
    await allSucceeded([a1, a2, a3, b1, b2, c1].map((x) => x.id));
    expectSentInOrder(slow.firsts("/a"), [a1.id, a2.id, a3.id], 2, "/a"); // two at a time: the host's limit
    expectSentInOrder(slow.firsts("/b"), [b1.id, b2.id], 2, "/b");
    expect(slow.received).toHaveLength(5);
    expect(mt.m.hostMost.get(slow.host)).toBeLessThanOrEqual(2);
  }, 60_000);

  it("two organizations' rules on one host: one at its limit with a delivery waiting, the other still handed; orders kept", async () => {
    await setLimits({ perRule: 1, perHost: 3 });
    const mt = meter();
    const slow = await mt.receiver(() => ({ status: 200, delayMs: 300 }));
    const a = await ruleAt(`${slow.url}/a`);
    const b = await ruleAt(`${slow.url}/b`);
    const a1 = await post(a.orgId);
    const a2 = await post(a.orgId);
    expect([a1.handed, a2.handed, a2.woke]).toEqual([true, false, true]);
    await vi.waitFor(() => expect([rt().slots.backlog, rt().slots.waiting.rules.has(a.ruleId)]).toEqual([false, true]), { timeout: 10_000, interval: 5 });
    const b1 = await post(b.orgId);
    expect(b1.handed).toBe(true);
    const a3 = await post(a.orgId);
    expect(a3.handed).toBe(false);
    const b2 = await post(b.orgId); // b1 holds rule b's one slot
    expect(b2.handed).toBe(false);
    await allSucceeded([a1, a2, a3, b1, b2].map((x) => x.id));
    expect(slow.firsts("/a")).toEqual([a1.id, a2.id, a3.id]);
    expect(slow.firsts("/b")).toEqual([b1.id, b2.id]);
    expect(mt.m.pathMost.get("/a")).toBe(1);
    expect(mt.m.pathMost.get("/b")).toBe(1);
    expect(mt.m.hostMost.get(slow.host)).toBeLessThanOrEqual(3);
  }, 60_000);

  it("a rule at its limit whose slots keep freeing while its and other rules' leads keep arriving: no hand-off overtakes its waiting deliveries", async () => {
    await setLimits({ perRule: 1, perHost: 8 });
    const mt = meter();
    const slow = await mt.receiver(() => ({ status: 200, delayMs: 25 }));
    const fast = await mt.receiver(() => ({ status: 200 }));
    const a = await ruleAt(`${slow.url}/a`);
    const b = await ruleAt(`${fast.url}/b`);
    const made = { a: [] as Awaited<ReturnType<typeof post>>[], b: [] as Awaited<ReturnType<typeof post>>[] };
    for (let i = 0; i < 40; i++) {
      made.a.push(await post(a.orgId));
      made.b.push(await post(b.orgId));
      // Let some of rule a's slots free up between leads: wait until a request of it has ended, some of the time.
      if (i % 3 === 0) {
        const seen = slow.received.length;
        await vi.waitFor(() => expect(slow.received.length > seen || rt().slots.inFlight === 0).toBe(true), { timeout: 10_000, interval: 1 });
      }
    }
    await allSucceeded([...made.a, ...made.b].map((x) => x.id));
    expect(slow.firsts("/a")).toEqual(made.a.map((x) => x.id));
    expect(fast.firsts("/b")).toEqual(made.b.map((x) => x.id));
    expect(slow.received).toHaveLength(40);
    expect(fast.received).toHaveLength(40);
    expect(mt.m.pathMost.get("/a")).toBe(1);
    expect(mt.m.pathMost.get("/b")).toBe(1);
  }, 90_000);

  it("retries (a 500, then success) interleaved with hand-offs: each delivery succeeds once, first attempts in creation order, limits held", async () => {
    await setLimits({ perRule: 2, perHost: 3, total: 4 });
    const mt = meter();
    let n = 0;
    const flaky = await mt.receiver((_id, nth) => (nth === 1 && ++n % 3 === 0 ? { status: 500, delayMs: 10 } : { status: 200, delayMs: 30 }));
    const other = await mt.receiver(() => ({ status: 200, delayMs: 20 }));
    const retry = { retryPolicy: { kind: "schedule", delaysSeconds: [0, 0, 0], retryOn4xx: false } };
    const a = await ruleAt(`${flaky.url}/a`, retry);
    const b = await ruleAt(`${flaky.url}/b`, retry);
    const c = await ruleAt(`${other.url}/c`, retry);
    const made = await clients([a, b, c].map((r) => ({ orgId: r.orgId, n: 12 })));
    const ids = made.flat().map((x) => x.id);
    await allSucceeded(ids);
    expectSentInOrder(flaky.firsts("/a"), made[0]!.map((x) => x.id), 2, "/a");
    expectSentInOrder(flaky.firsts("/b"), made[1]!.map((x) => x.id), 2, "/b");
    expectSentInOrder(other.firsts("/c"), made[2]!.map((x) => x.id), 2, "/c");
    const rows = await prisma().delivery.findMany({ where: { id: { in: ids } }, select: { id: true, attemptCount: true } });
    const attempts = rows.reduce((s, r) => s + r.attemptCount, 0);
    expect(flaky.received.length + other.received.length).toBe(attempts); // nothing sent twice for one attempt
    expect(attempts - ids.length).toBe(Math.floor(n / 3)); // one retry per 500
    expect(mt.m.most).toBeLessThanOrEqual(4);
    expect(mt.m.hostMost.get(flaky.host)).toBeLessThanOrEqual(3);
    for (const [, k] of mt.m.pathMost) expect(k).toBeLessThanOrEqual(2);
  }, 90_000);

  it("the total (DELIVERY_CONCURRENCY) is the binding limit, not the rule's: order per rule and every limit held", async () => {
    await setLimits({ total: 2, perRule: 2, perHost: 2 });
    const mt = meter();
    const r1 = await mt.receiver(() => ({ status: 200, delayMs: 40 }));
    const r2 = await mt.receiver(() => ({ status: 200, delayMs: 15 }));
    const r3 = await mt.receiver(() => ({ status: 200 }));
    const rules = [await ruleAt(`${r1.url}/a`), await ruleAt(`${r2.url}/b`), await ruleAt(`${r3.url}/c`), await ruleAt(`${r3.url}/d`)];
    const rxOf = [r1, r2, r3, r3];
    const made = await clients(rules.map((r) => ({ orgId: r.orgId, n: 12 })));
    await allSucceeded(made.flat().map((x) => x.id));
    rules.forEach((r, i) => expectSentInOrder(rxOf[i]!.firsts(r.path), made[i]!.map((x) => x.id), 2, r.path));
    rules.forEach((r, i) => expect(rxOf[i]!.count(r.path)).toBe(12));
    expect(mt.m.most).toBeLessThanOrEqual(2);
  }, 90_000);

  it("one rule's circuit breaker opens while other rules are at their limits: the others keep their order, the failing rule gets no request once open", async () => {
    await setLimits({ perRule: 1, perHost: 8 });
    const mt = meter();
    const slow = await mt.receiver(() => ({ status: 200, delayMs: 60 }));
    const failing = await mt.receiver(() => ({ status: 500, delayMs: 5 }));
    const a = await ruleAt(`${slow.url}/a`);
    const b = await ruleAt(`${slow.url}/b`);
    const f = await ruleAt(`${failing.url}/f`, { retryPolicy: { kind: "schedule", delaysSeconds: [0], retryOn4xx: false } });
    const made = await clients([a, b, f].map((r) => ({ orgId: r.orgId, n: 12 })));
    await vi.waitFor(async () => expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: f.ruleId } })).pausedUntil).not.toBeNull(), { timeout: 20_000 });
    await allSucceeded([...made[0]!, ...made[1]!].map((x) => x.id));
    expect(slow.firsts("/a")).toEqual(made[0]!.map((x) => x.id));
    expect(slow.firsts("/b")).toEqual(made[1]!.map((x) => x.id));
    // One at a time (its limit 1): the fifth failure opens the breaker, and nothing is sent to it after.
    await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0), { timeout: 20_000 });
    expect(failing.received).toHaveLength(5);
    expect(failing.firsts("/f")).toEqual(made[2]!.slice(0, 5).map((x) => x.id));
    const left = await prisma().delivery.findMany({ where: { id: { in: made[2]!.slice(5).map((x) => x.id) } }, select: { state: true, leaseOwner: true, attemptCount: true } });
    expect(left.map((d) => [d.state, d.attemptCount])).toEqual(left.map(() => ["PENDING", 0]));
    expect(mt.m.pathMost.get("/f")).toBe(1);
  }, 90_000);

  it("after a successful probe closes a rule's breaker, a new lead is not handed ahead of the deliveries the breaker held back", async () => {
    // One request at a time, so the order they arrive in is the order they were sent in.
    await setLimits({ perRule: 1 });
    const mt = meter();
    let calls = 0;
    const rx = await mt.receiver(() => (++calls <= 5 ? { status: 500 } : { status: 200, delayMs: 100 }));
    const r = await ruleAt(`${rx.url}/p`, { retryPolicy: { kind: "schedule", delaysSeconds: [0], retryOn4xx: false } });
    for (let i = 0; i < 5; i++) {
      await post(r.orgId);
      await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0), { timeout: 10_000 });
    }
    await vi.waitFor(async () => expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: r.ruleId } })).pausedUntil).not.toBeNull(), { timeout: 10_000 });
    const held = [await post(r.orgId), await post(r.orgId), await post(r.orgId)];
    expect(held.map((x) => x.handed)).toEqual([false, false, false]);
    await runDispatcher(undefined, { why: "look" });
    // The cooldown runs out (made short here): this process's breaker and the rule's pause both end now.
    const past = new Date(Date.now() - 1000);
    rt().breakers.states.set(r.ruleId, { kind: "open", until: past.getTime() });
    await prisma().webhookRule.update({ where: { id: r.ruleId }, data: { pausedUntil: past } });
    // Distinct due times, oldest first (the pause gave them one time; see the next test for that).
    for (const [i, x] of held.entries()) await prisma().delivery.update({ where: { id: x.id }, data: { nextAttemptAt: new Date(past.getTime() - 3000 + i) } });
    // The periodic look claims the probe (the oldest); it succeeds and the breaker closes.
    await runDispatcher(undefined, { why: "look" });
    await vi.waitFor(() => expect(rx.firsts("/p")).toContain(held[0]!.id), { timeout: 10_000 });
    await vi.waitFor(() => expect(rt().breakers.states.has(r.ruleId)).toBe(false), { timeout: 10_000 });
    const next = await post(r.orgId);
    await allSucceeded([...held, next].map((x) => x.id));
    expect(rx.firsts("/p").slice(5)).toEqual([...held, next].map((x) => x.id));
  }, 60_000);

  it("a pause written by another process runs out: a new lead is not handed ahead of the deliveries the pause held back", async () => {
    // One request at a time, so the order they arrive in is the order they were sent in.
    await setLimits({ perRule: 1 });
    const mt = meter();
    const rx = await mt.receiver(() => ({ status: 200, delayMs: 20 }));
    const r = await ruleAt(`${rx.url}/q`);
    await prisma().webhookRule.update({ where: { id: r.ruleId }, data: { pausedUntil: new Date(Date.now() + 60_000), pauseReason: "paused elsewhere" } });
    const held = [await post(r.orgId), await post(r.orgId)];
    expect(held.map((x) => x.handed)).toEqual([false, false]);
    await runDispatcher(undefined, { why: "look" });
    expect(rx.received).toHaveLength(0);
    // The pause runs out (its end reached, as another process wrote it).
    await prisma().webhookRule.update({ where: { id: r.ruleId }, data: { pausedUntil: new Date(Date.now() - 1000) } });
    const next = await post(r.orgId);
    await allSucceeded([...held, next].map((x) => x.id));
    expect({ nextHanded: next.handed, order: rx.firsts("/q") }).toEqual({ nextHanded: next.handed, order: [...held, next].map((x) => x.id) });
  }, 60_000);

  it("limits changed between runs: what a rule left waiting still holds its hand-offs back, other rules use the new limits, order kept", async () => {
    await setLimits({ perRule: 1, perHost: 8 });
    const mt = meter();
    const slow = await mt.receiver(() => ({ status: 200, delayMs: 30 }));
    const other = await mt.receiver(() => ({ status: 200, delayMs: 30 }));
    const a = await ruleAt(`${slow.url}/a`);
    const b = await ruleAt(`${other.url}/b`);
    const first = await clients([a, b].map((r) => ({ orgId: r.orgId, n: 8 })));
    await allSucceeded(first.flat().map((x) => x.id));
    await vi.waitFor(async () => {
      await rt().rounds.running;
      expect(rt().rounds.running).toBeNull();
    }, { timeout: 10_000 });
    // As a run can leave it: rule a's deliveries may be waiting.
    rt().slots.waiting = { rules: new Set([a.ruleId]), hosts: new Set() };
    process.env.DELIVERY_PER_RULE_CONCURRENCY = "3";
    resetEnvCache();
    const run = runDispatcher(undefined, { why: "handed" }); // no claim first
    expect([rt().slots.limits.perRule, rt().slots.waiting.rules.has(a.ruleId)]).toEqual([3, true]);
    await run;
    const second = await clients([a, b].map((r) => ({ orgId: r.orgId, n: 10 })));
    await allSucceeded(second.flat().map((x) => x.id));
    // The first leads went one at a time, the second ones up to three at a time.
    expect(slow.firsts("/a").slice(0, 8)).toEqual(first[0]!.map((x) => x.id));
    expect(other.firsts("/b").slice(0, 8)).toEqual(first[1]!.map((x) => x.id));
    expectSentInOrder(slow.firsts("/a"), [...first[0]!, ...second[0]!].map((x) => x.id), 3, "/a");
    expectSentInOrder(other.firsts("/b"), [...first[1]!, ...second[1]!].map((x) => x.id), 3, "/b");
    expect(mt.m.pathMost.get("/a")).toBeLessThanOrEqual(3);
    expect(mt.m.pathMost.get("/b")).toBeLessThanOrEqual(3);
    // (Whether any of rule b's second leads is handed depends on timing: rule a's refused leads wake "due", closing hand-offs for all.)
  }, 90_000);

  it("no slot leaked after everything above", async () => {
    await runDispatcher(undefined, { why: "look" });
    await vi.waitFor(() => expect(rt().slots.inFlight).toBe(0), { timeout: 20_000 });
    expect(rt().inbox).toHaveLength(0);
  });

  // Last: stops the dispatcher for good.
  it("stopDispatcher while one rule has a delivery waiting and another hands off: nothing stays leased to it, nothing sent twice", async () => {
    await setLimits({ perRule: 1, perHost: 8 });
    const mt = meter();
    const slow = await mt.receiver(() => ({ status: 200, delayMs: 200 }));
    const fast = await mt.receiver(() => ({ status: 200, delayMs: 50 }));
    const a = await ruleAt(`${slow.url}/a`);
    const b = await ruleAt(`${fast.url}/b`);
    const a1 = await post(a.orgId);
    const a2 = await post(a.orgId);
    expect([a1.handed, a2.handed]).toEqual([true, false]);
    await vi.waitFor(() => expect(rt().slots.waiting.rules.has(a.ruleId) || rt().slots.backlog).toBe(true), { timeout: 10_000, interval: 5 });
    const b1 = await post(b.orgId);
    const stopping = stopDispatcher();
    const late = [await post(a.orgId), await post(b.orgId)];
    await stopping;
    expect(handoffPort()).toBeNull();
    expect(late.map((x) => x.handed)).toEqual([false, false]);
    const ids = [a1, a2, b1, ...late].map((x) => x.id);
    const rows = await prisma().delivery.findMany({ where: { id: { in: ids } }, select: { id: true, state: true, leaseOwner: true, attemptCount: true } });
    for (const d of rows) {
      expect(d.leaseOwner === rt().owner && d.state === "PENDING", `${d.id} left leased`).toBe(false);
      expect(d.state === "SUCCEEDED" ? d.attemptCount : 0).toBeLessThanOrEqual(1);
    }
    const arrived = [...slow.received, ...fast.received].map((r) => String(r.headers["webhook-id"]));
    expect(new Set(arrived).size).toBe(arrived.length);
    // What arrived of rule a arrived in order.
    expect(slow.firsts("/a")).toEqual([a1, a2, late[0]!].map((x) => x.id).slice(0, slow.firsts("/a").length));
  }, 60_000);
});
