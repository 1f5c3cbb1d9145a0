import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { REPREPARE_CALLS } from "@/lib/db/sql";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useOneConnection } from "../helpers/one-connection";
import { copyDeliveries } from "../helpers/delivery-copies";
import { prepared, recordSome } from "../helpers/record-outcomes";

// Recording outcomes joins a group to "Delivery" by id. A plan kept from when the table was small
// (PostgreSQL keeps a generic plan after a few calls of a named statement, for the connection's
// life) read the whole table for every group once it had grown: in the benchmark, 7,775 pages for
// 32 outcomes, a third of the database's time. The record is planned for the table as it is now:
// on PostgreSQL it is not kept as a prepared statement; on PGlite, where parsing is dearer and
// nothing analyzes the tables, it is prepared again every REPREPARE_CALLS calls (until the
// delivering process has found the table large: record-plan-settled.test.ts).

const prisma = useTestDatabase();
const OWNER = "record-plan";
const oneConnection = useOneConnection(prisma);

describe("recording outcomes is planned for the table as it is now", () => {
  it("after the table grew from a few rows to thousands", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "http://receiver.test/" } });
    for (let i = 0; i < 12; i++) await createLead(await sql(), org.id, { email: `small${i}@x.test` });
    const { q } = await oneConnection();
    // While "Delivery" is small: more calls than PostgreSQL makes custom plans before keeping one.
    for (let i = 0; i < 8; i++) expect(await recordSome(q, OWNER, rule.id, 1)).toBe(1);

    // The table grows: one delivery copied 20,000 times.
    const [seed] = await prisma().delivery.findMany({ where: { ruleId: rule.id, state: "PENDING" }, take: 1 });
    await copyDeliveries(prisma(), "d.id = $1", seed!.id, 20000);
    const [{ grownAt }] = (await q.query<{ grownAt: number }>(`SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS "grownAt"`)) as [{ grownAt: number }];

    if (TEST_DATABASE === "postgres") {
      expect(await recordSome(q, OWNER, rule.id, 30)).toBe(30);
      expect(await prepared(q)).toEqual([]); // nothing kept: planned on each call
    } else {
      for (let recorded = 0; recorded < REPREPARE_CALLS; ) recorded += await recordSome(q, OWNER, rule.id, 1);
      const statements = await prepared(q);
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) expect(s.preparedAt).toBeGreaterThanOrEqual(grownAt); // prepared again since
    }
    // And what was recorded is there: every leased delivery's outcome and attempt.
    const done = await prisma().delivery.findMany({ where: { ruleId: rule.id, leaseOwner: null, state: "SUCCEEDED" }, select: { id: true } });
    expect(done.length).toBe(TEST_DATABASE === "postgres" ? 38 : 8 + REPREPARE_CALLS);
    expect(await prisma().deliveryAttempt.count({ where: { deliveryId: { in: done.map((d) => d.id) } } })).toBe(done.length);
  }, 120_000);
});
