import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { claimDue } from "@/lib/delivery/engine/claim";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";

// Many of a rule's deliveries become claimable at the same instant: those a closed sending window
// held (all due at its opening), those a cap or rate limit held when the rule's limits change,
// those an admin replays at once. They must go oldest first. Ordered by their claimable time
// alone, they came in the order of their rows in the table, which updates and reused space
// shuffle: a night's newest lead could go first and its oldest last.

const prisma = useTestDatabase();

/** Copies of the delivery `id`, with these ids, inserted into the table in the reverse of their order (same due time). */
async function copiesInReverse(id: string, ids: string[]): Promise<void> {
  await prisma().$executeRawUnsafe(
    `INSERT INTO "Delivery"
     SELECT (jsonb_populate_record(d, jsonb_build_object('id', u.id))).*
     FROM "Delivery" d, unnest($2::text[]) WITH ORDINALITY AS u(id, n)
     WHERE d.id = $1 ORDER BY u.n DESC`,
    id,
    ids,
  );
}

describe("deliveries claimable at the same instant", () => {
  it("are claimed oldest first, and come back in that order, whatever the order of their rows", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "http://fifo.receiver.test/a" } });
    await createLead(await sql(), org.id, { email: "first@x.test" });
    const [first] = await prisma().delivery.findMany({ where: { ruleId: rule.id } });
    // 19 later deliveries due at the same instant as the first, stored newest first.
    const later = Array.from({ length: 19 }, () => newId("dlv"));
    await copiesInReverse(first!.id, later);
    const order = [first!.id, ...later];
    expect([...order].sort()).toEqual(order); // ids sort by when they were made

    const limits = { perRule: 16, perHost: 32 };
    const claimed: string[] = [];
    for (const free of [5, 5, 10]) {
      const got = await claimDue(await sql(), "fifo", new Date(), 60_000, { free, rules: {}, hosts: {} }, limits);
      claimed.push(...got.map((d) => d.id));
    }
    expect(claimed).toEqual(order);
    await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { state: "FAILED", leaseOwner: null } });
  });

  it("go oldest first across the queues of a host that has room for one", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rule = (name: string, enabled: boolean) =>
      prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: name, events: ["lead.created"], url: `http://shared.receiver.test/${name}`, enabled } });
    const x = await rule("x", false);
    const y = await rule("y", true);
    // y's delivery of the first lead is the oldest, though x's queue comes first by rule.
    await createLead(await sql(), org.id, { email: "one@x.test" });
    await prisma().webhookRule.update({ where: { id: x.id }, data: { enabled: true } });
    await createLead(await sql(), org.id, { email: "two@x.test" });
    const deliveries = await prisma().delivery.findMany({ where: { organizationId: org.id }, orderBy: { id: "asc" } });
    expect(deliveries.map((d) => d.ruleId)).toEqual([y.id, expect.any(String), expect.any(String)]);
    await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    const claimed = await claimDue(await sql(), "fifo", new Date(), 60_000, { free: 3, rules: {}, hosts: {} }, { perRule: 16, perHost: 1 });
    expect(claimed.map((d) => d.id)).toEqual([deliveries[0]!.id]);
    await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { state: "FAILED", leaseOwner: null } });
  });
});
