import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { CLAIM_NAME, claimDue, claimParams } from "@/lib/delivery/engine/claim";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { copyDeliveries, pagesTouched } from "../helpers/delivery-copies";
import { useOneConnection } from "../helpers/one-connection";

// The claim is a named statement: after a few calls PostgreSQL keeps one generic plan for it, for
// the connection's life (PGlite, for the instance's), made while the tables were as they were
// then, often nearly empty. That plan must still read queue by queue once a blocked endpoint has
// thousands of deliveries due: a plan that read the due deliveries of every queue in due order and
// filtered them read the whole backlog ahead of each queue, as the claim did before it had queues.

const prisma = useTestDatabase();
const oneConnection = useOneConnection(prisma);

const literal = (v: unknown) => `'${(Array.isArray(v) ? `{${v.join(",")}}` : String(v)).replace(/'/g, "''")}'`;

describe("the claim's kept plan", () => {
  it("made on a nearly empty table, still passes over 3,000 due deliveries of a rule at its limit without reading them", async () => {
    const { org } = await createWebhookOrg(prisma());
    const base = { organizationId: org.id, title: "R", events: ["lead.created"] };
    const ruleA = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: "http://a.receiver.test/a" } });
    const { q, raw } = await oneConnection();
    const limits = { perRule: 16, perHost: 32 };
    // While the table is nearly empty: more claims than PostgreSQL plans one by one before keeping a plan.
    for (let i = 0; i < 8; i++) {
      await createLead(await sql(), org.id, { email: `early${i}@x.test` });
      expect(await claimDue(q, "early", new Date(), 60_000, { free: 8, rules: {}, hosts: {} }, limits)).toHaveLength(1);
    }
    await prisma().delivery.updateMany({ where: { ruleId: ruleA.id }, data: { state: "SUCCEEDED", leaseOwner: null, leaseExpiresAt: null } });

    // A's backlog: one delivery copied 2,999 times, all due; then a lead that B (another host) gets too.
    await createLead(await sql(), org.id, { email: "backlog@x.test" });
    await copyDeliveries(prisma(), `d."ruleId" = $1 AND d.state = 'PENDING'`, ruleA.id, 2999);
    const ruleB = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: "http://b.receiver.test/b" } });
    await createLead(await sql(), org.id, { email: "behind@x.test" });
    expect(await prisma().delivery.count({ where: { ruleId: ruleA.id, state: "PENDING" } })).toBe(3001);

    // A at its limit of requests in flight: the kept plan, explained as it runs (and it claims B's).
    const params = claimParams("kept-plan", new Date(), 60_000, { free: 8, rules: { [ruleA.id]: 16 }, hosts: {} }, limits, []);
    const [row] = await raw(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE "${CLAIM_NAME}"(${params.map(literal).join(", ")})`);
    const blocks = pagesTouched(row!);
    expect(blocks).toBeGreaterThan(0);
    expect(blocks).toBeLessThan(100); // A's 3,000 rows of about 1 kB are a few hundred pages
    const leased = await prisma().delivery.findMany({ where: { leaseOwner: "kept-plan" } });
    expect(leased.map((d) => d.ruleId)).toEqual([ruleB.id]);
    await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { state: "FAILED" } });
  }, 120_000);
});

// Found by a reviewer: the claim picked as many queues as it had free slots, by oldest due
// delivery, before applying the limits per host and rule, so queues bound to be trimmed by a shared
// limit took the places of claimable ones behind them.
describe("the claim fills its free slots", () => {
  /** Rules of `org` at these URLs, one lead to all of them, each rule's delivery due `overdueMs` ago. */
  async function dueAt(orgId: string, urls: [string, number][]) {
    const rules = [];
    for (const [url] of urls) rules.push(await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "R", events: ["lead.created"], url } }));
    await createLead(await sql(), orgId, { email: `fill-${newId("x")}@x.test` });
    for (const [i, [, overdueMs]] of urls.entries()) await prisma().delivery.updateMany({ where: { ruleId: rules[i]!.id }, data: { nextAttemptAt: new Date(Date.now() - overdueMs) } });
    return rules;
  }
  const done = (orgId: string) => prisma().delivery.updateMany({ where: { organizationId: orgId }, data: { state: "FAILED", leaseOwner: null } });

  it("passes over queues a shared host limit will trim, to claim one behind them", async () => {
    const { org } = await createWebhookOrg(prisma());
    const [a, , c] = await dueAt(org.id, [["http://h.receiver.test/a", 3000], ["http://h.receiver.test/b", 2000], ["http://g.receiver.test/c", 1000]]);
    const claimed = await claimDue(await sql(), "fill", new Date(), 60_000, { free: 2, rules: {}, hosts: {} }, { perRule: 10, perHost: 1 });
    expect(claimed.map((d) => d.ruleId).sort()).toEqual([a!.id, c!.id].sort());
    await done(org.id);
  });

  it("passes over a rule's second queue its rule limit will trim", async () => {
    const { org } = await createWebhookOrg(prisma());
    // One rule whose URL changed while a delivery was due: two queues (two hosts) of one rule.
    const [a, b] = await dueAt(org.id, [["http://old.receiver.test/a", 3000], ["http://b.receiver.test/b", 1000]]);
    await prisma().webhookRule.update({ where: { id: a!.id }, data: { url: "http://new.receiver.test/a" } });
    await createLead(await sql(), org.id, { email: "second@x.test" });
    await prisma().delivery.updateMany({ where: { organizationId: org.id, ruleId: a!.id, host: "new.receiver.test" }, data: { nextAttemptAt: new Date(Date.now() - 2000) } });
    await prisma().delivery.updateMany({ where: { organizationId: org.id, ruleId: b!.id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    const claimed = await claimDue(await sql(), "fill", new Date(), 60_000, { free: 2, rules: {}, hosts: {} }, { perRule: 1, perHost: 10 });
    expect(claimed.map((d) => d.ruleId).sort()).toEqual([a!.id, b!.id].sort());
    await done(org.id);
  });
});

// Deliveries in flight stay PENDING, leased, until their outcome is recorded. The claim's queue
// index kept them in due order, so they sat at the head of their queue, and every claim stepped over
// each of them again (a read of its row to find the lease): a slow endpoint with hundreds in flight
// (several processes', or one with a high limit) made every claim of that rule read them all.
describe("the deliveries in flight", () => {
  it("are not read by a claim: 1,000 leased at the head of a queue cost it no more than a few pages", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "http://slow.receiver.test/a" } });
    const { q, raw } = await oneConnection();
    // 1,000 of the rule's deliveries in flight in other processes (due a minute ago, leased for another minute).
    await createLead(await sql(), org.id, { email: "inflight@x.test" });
    await copyDeliveries(prisma(), `d."ruleId" = $1 AND d.state = 'PENDING'`, rule.id, 999);
    const minute = 60_000;
    await prisma().delivery.updateMany({
      where: { ruleId: rule.id },
      data: { nextAttemptAt: new Date(Date.now() - minute), leaseOwner: "elsewhere", leaseExpiresAt: new Date(Date.now() + minute) },
    });
    // The rows' versions from before that update are gone (as vacuum leaves them): what is measured
    // is stepping over the deliveries in flight, not over dead index entries of this setup.
    await prisma().$executeRawUnsafe(`VACUUM "Delivery"`);
    // Then one more lead: its delivery is due behind them.
    await createLead(await sql(), org.id, { email: "next@x.test" });
    const limits = { perRule: 2000, perHost: 2000 };
    const busy = { free: 8, rules: {}, hosts: {} };
    // Prepared on this connection by a first claim, which must not take any of the leased ones.
    const [first, ...more] = await claimDue(q, "here", new Date(), minute, { free: 1, rules: {}, hosts: {} }, limits);
    expect(more).toEqual([]);
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ leaseOwner: "here" });
    expect((await prisma().lead.findFirstOrThrow({ where: { deliveries: { some: { id: first!.id } } } })).email).toBe("next@x.test");
    await prisma().delivery.update({ where: { id: first!.id }, data: { leaseOwner: null, leaseExpiresAt: null } });

    const params = claimParams("here", new Date(), minute, busy, limits, []);
    const [row] = await raw(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE "${CLAIM_NAME}"(${params.map(literal).join(", ")})`);
    expect((await prisma().delivery.findMany({ where: { leaseOwner: "here" } })).map((d) => d.id)).toEqual([first!.id]);
    // The 1,000 rows of about 1 kB are over a hundred pages; reading past them touched them all.
    expect(pagesTouched(row!)).toBeLessThan(60);
    expect(await prisma().delivery.count({ where: { ruleId: rule.id, leaseOwner: "elsewhere" } })).toBe(1000);
    await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { state: "FAILED" } });
  }, 120_000);
});
