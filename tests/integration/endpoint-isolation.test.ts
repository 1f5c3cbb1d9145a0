import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { Breakers } from "@/lib/delivery/engine/breaker";
import { claimDue } from "@/lib/delivery/engine/claim";
import { dispatchBatch, dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import type { Sql } from "@/lib/db/sql";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";
import { until } from "../helpers/until";
import { copyDeliveries, pagesTouched } from "../helpers/delivery-copies";

// One endpoint that never answers must hold up only its own slots: another rule's deliveries,
// recorded while its requests hang, arrive and are recorded long before its timeout.

const prisma = useTestDatabase();
const client = useLoopbackClient();

describe("isolation per endpoint", () => {
  it("a rule whose endpoint never answers does not hold up another rule's deliveries", async () => {
    const hung = await startReceiver(() => ({ status: 200, delayMs: 60_000 }));
    const quick = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    const base = { organizationId: org.id, title: "R", events: ["lead.created"] };
    const ruleA = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${hung.url}/a`, timeoutMs: 10_000 } });
    const ruleB = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${quick.url}/b` } });
    const deliveriesOf = (ruleId: string) => prisma().delivery.findMany({ where: { ruleId } });
    for (let i = 0; i < 6; i++) await createLead(await sql(), org.id, { email: `first${i}@x.test` });

    let stop = false;
    let wake = () => {};
    const run = dispatchUntilIdle({
      prisma: prisma(), client, owner: "isolation", perRuleConcurrency: 4, leaseMs: 2_000, budgetMs: 60_000,
      stopping: () => stop, listen: (w) => (wake = w),
    });
    await until(() => hung.received.length === 4, 5_000);
    const aStarted = Date.now();

    // Events recorded while A's requests hang reach B at once.
    for (let i = 0; i < 6; i++) await createLead(await sql(), org.id, { email: `later${i}@x.test` });
    const recorded = Date.now();
    wake();
    await until(async () => (await deliveriesOf(ruleB.id)).every((d) => d.state === "SUCCEEDED"), 5_000);
    const bDone = Date.now();
    expect(bDone - recorded).toBeLessThan(5_000);
    expect(bDone - aStarted).toBeLessThan(10_000); // before A's first request could time out
    expect(new Set(quick.received.map((r) => String(r.headers["webhook-id"]))).size).toBe(12);

    // A never has more than its limit in flight; the rest wait unclaimed, not counted as attempts.
    // The leases of A's hanging requests (2 s) are extended while they hang.
    await until(() => Date.now() - aStarted > 3_000, 5_000);
    const a = await deliveriesOf(ruleA.id);
    expect(hung.received).toHaveLength(4);
    const inFlight = a.filter((d) => d.leaseOwner === "isolation");
    expect(inFlight).toHaveLength(4);
    for (const d of inFlight) expect(d.leaseExpiresAt!.getTime()).toBeGreaterThan(Date.now());
    expect(a.filter((d) => d.leaseOwner === null && d.state === "PENDING" && d.attemptCount === 0)).toHaveLength(8);

    // Stopping lets the hanging requests time out and be recorded; nothing more is claimed.
    stop = true;
    wake();
    expect(await run).toMatchObject({ claimed: 16, succeeded: 12, retrying: 4 });
    const after = await deliveriesOf(ruleA.id);
    expect(after.filter((d) => d.attemptCount === 1 && d.lastStatusCode === 999 && d.state === "PENDING")).toHaveLength(4);
    expect(after.filter((d) => d.attemptCount === 0 && d.leaseOwner === null)).toHaveLength(8);
    await Promise.all([hung.close(), quick.close()]);
    await prisma().delivery.updateMany({ where: { ruleId: ruleA.id }, data: { state: "FAILED" } }); // nothing left due for the next test
  }, 30_000);

  it("pauses a rule after repeated 5xx (its deliveries held, not attempted), then probes once and resumes", async () => {
    let down = true;
    const arrivals: number[] = [];
    const rx = await startReceiver(() => {
      arrivals.push(Date.now());
      return down ? { status: 503, body: "down" } : { status: 200, body: "ok", delayMs: 100 };
    });
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: rx.url } });
    for (let i = 0; i < 5; i++) await createLead(await sql(), org.id, { email: `cb${i}@x.test` });
    const breakers = new Breakers({ threshold: 2, cooldownMs: 60_000 });

    const paused = Date.now();
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers, perRuleConcurrency: 1 })).toMatchObject({ claimed: 2, retrying: 2 });
    const rows = await prisma().delivery.findMany({ where: { ruleId: rule.id } });
    const waiting = rows.filter((d) => d.attemptCount === 0);
    expect(waiting).toHaveLength(3);
    // They keep their due times (so they go in order once the pause ends); the pause on the rule holds them.
    for (const d of waiting) expect(d).toMatchObject({ state: "PENDING", leaseOwner: null });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } })).pausedUntil!.getTime()).toBeGreaterThanOrEqual(paused + 60_000);
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers: new Breakers(), perRuleConcurrency: 1 })).toMatchObject({ claimed: 0 }); // nor by another process

    // After the pause one probe goes alone; its success resumes the rule.
    down = false;
    arrivals.length = 0;
    const later = () => new Date(Date.now() + 120_000);
    expect(await dispatchUntilIdle({ prisma: prisma(), client, breakers, now: later })).toMatchObject({ claimed: 5, succeeded: 5 });
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(90);
    expect((await prisma().delivery.findMany({ where: { ruleId: rule.id } })).map((d) => d.state)).toEqual(Array(5).fill("SUCCEEDED"));
    await rx.close();
  });

  it("claims no more for one destination host than its limit, across rules; the rest stay unclaimed", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    for (const path of ["/x", "/y", "/z"]) {
      await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: `${rx.url}${path}` } });
    }
    await createLead(await sql(), org.id, { email: "host@x.test" });
    expect(await dispatchBatch({ prisma: prisma(), client, perHostConcurrency: 2 })).toMatchObject({ claimed: 2, succeeded: 2 });
    const left = await prisma().delivery.findMany({ where: { organizationId: org.id, state: "PENDING" } });
    expect(left).toHaveLength(1);
    expect(left[0]).toMatchObject({ attemptCount: 0, leaseOwner: null });
    expect(await dispatchUntilIdle({ prisma: prisma(), client, perHostConcurrency: 2 })).toMatchObject({ claimed: 1, succeeded: 1 });
    await rx.close();
  });

  // A claim must cost about what it claims. An endpoint at its limit of requests in flight (one
  // that hangs, say) keeps a backlog of due deliveries; the claim used to read all of it, every
  // time, to find the few of other endpoints behind it. It reads by queue (rule and host) now.
  describe("a claim does not read the backlog of an endpoint at its limit", () => {
    /** The claim's statement run under EXPLAIN (ANALYZE, BUFFERS) in a transaction rolled back, then for real. */
    function explained(): { sql: Sql; blocks: () => number } {
      let blocks = -1;
      return {
        blocks: () => blocks,
        sql: {
          async query<T>(text: string, params: readonly unknown[] = []) {
            await prisma()
              .$transaction(async (tx) => {
                const [row] = await tx.$queryRawUnsafe<Record<string, unknown>[]>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`, ...params);
                blocks = pagesTouched(row!);
                throw new Error("rolled back");
              })
              .catch((err: unknown) => {
                if (!(err instanceof Error && err.message === "rolled back")) throw err;
              });
            return (await sql()).query<T>(text, params);
          },
        },
      };
    }

    for (const blocked of ["rule", "host"] as const) {
      it(`with its ${blocked} at the limit: 3,000 due deliveries behind it cost the claim a few pages`, async () => {
        const rxA = await startReceiver();
        const rxB = await startReceiver();
        const { org } = await createWebhookOrg(prisma());
        const base = { organizationId: org.id, title: "R", events: ["lead.created"] };
        const ruleA = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${rxA.url}/a` } });
        await createLead(await sql(), org.id, { email: "backlog@x.test" });
        // One lead event's delivery to A, copied 2,999 times: A's backlog, all due.
        await copyDeliveries(prisma(), `d."ruleId" = $1`, ruleA.id, 2999);
        const [a] = await prisma().delivery.findMany({ where: { ruleId: ruleA.id }, take: 1 });
        const limits = { perRule: 16, perHost: 32 };
        const busy = blocked === "rule" ? { free: 8, rules: { [ruleA.id]: 16 }, hosts: { [a!.host]: 16 } } : { free: 8, rules: { [ruleA.id]: 4 }, hosts: { [a!.host]: 32 } };
        // A first claim finds nothing; as any scan does, it also marks the index entries of rows
        // that earlier tests took out of the queue as dead, so the claim measured below is the
        // steady one (the engine claims all the time).
        expect((await claimDue(await sql(), "queue-test", new Date(), 60_000, busy, limits)).filter((d) => d.ruleId === ruleA.id)).toHaveLength(0);

        const ruleB = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${rxB.url}/b` } });
        await createLead(await sql(), org.id, { email: "behind@x.test" });
        expect(await prisma().delivery.count({ where: { ruleId: ruleA.id, state: "PENDING" } })).toBe(3001); // and the second lead's
        const probe = explained();
        const claimed = await claimDue(probe.sql, "queue-test", new Date(), 60_000, busy, limits);
        expect(claimed.filter((d) => d.ruleId === ruleB.id)).toHaveLength(1);
        expect(claimed.filter((d) => d.ruleId === ruleA.id)).toHaveLength(0);
        // 3,000 rows of about 1 kB are over 400 pages; reading by queue touches a few dozen, plus
        // the queue index's pages that hold the entries of the earlier tests' deliveries (each
        // entry its own since the index ends with the delivery's id: about 75 pages for the
        // 3,000 the other variant left), which finding the first queue steps over.
        expect(probe.blocks()).toBeGreaterThan(0);
        expect(probe.blocks()).toBeLessThan(150);

        // With room again, A's oldest are claimed, no more than its room.
        const more = await claimDue(await sql(), "queue-test", new Date(), 60_000, { free: 8, rules: {}, hosts: {} }, limits);
        expect(more.filter((d) => d.ruleId === ruleA.id)).toHaveLength(8);
        await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { state: "FAILED" } }); // nothing left due for the next test
        await Promise.all([rxA.close(), rxB.close()]);
      });
    }
  });
});
