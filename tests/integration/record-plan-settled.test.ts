import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { analyzeGrown, plansSettled, SETTLED_PAGES } from "@/lib/db/plans";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { recordBatch } from "@/lib/delivery/engine/record";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useOneConnection } from "../helpers/one-connection";
import { copyDeliveries } from "../helpers/delivery-copies";
import { prepared, recordSome, succeeded } from "../helpers/record-outcomes";

// Recording outcomes joins a group to "Delivery" by id, and is planned on each call while the table
// is small (record-plan.test.ts). Once the delivering process has found it SETTLED_PAGES long
// (lib/db/plans.ts), the statement is kept: a plan made for the table at that size already reads
// it by id, as it must at any size it grows to. This file's own database starts empty, so the
// plan explained below is the one made at the smallest size it is kept at.

const prisma = useTestDatabase();
const OWNER = "record-plan-settled";
const oneConnection = useOneConnection(prisma);

describe("recording outcomes once the table is large", () => {
  it("keeps its statement once the table has been found large, and the plan kept reads the table by id", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "http://receiver.test/" } });
    for (let i = 0; i < 12; i++) await createLead(await sql(), org.id, { email: `large${i}@x.test` });
    const { q, raw } = await oneConnection();
    await analyzeGrown(q);
    const pages = async () => Number((await raw(`SELECT pg_relation_size('"Delivery"') / current_setting('block_size')::int AS n`))[0]!.n);
    const startPages = await pages();
    expect(plansSettled(q)).toBe(startPages >= SETTLED_PAGES);
    // Grown to just past SETTLED_PAGES, the smallest size at which the plan is kept.
    const [seed] = await prisma().delivery.findMany({ where: { ruleId: rule.id, state: "PENDING" }, take: 1 });
    // Copies of the seed, then copies of its k-th copy (ids "<seed>-<k>-<n>"), until the table is that long.
    for (let k = 0; (await pages()) < SETTLED_PAGES; k++) await copyDeliveries(prisma(), `d.id = $1`, k ? `${seed!.id}-${k}` : seed!.id, 1000);
    expect(await pages()).toBeLessThan(SETTLED_PAGES * 1.25);
    await analyzeGrown(q);
    expect(plansSettled(q)).toBe(true);

    for (let i = 0; i < 8; i++) expect(await recordSome(q, OWNER, rule.id, 1)).toBe(1);
    const [kept, ...others] = await prepared(q);
    expect(kept).toBeDefined();
    expect(others).toEqual([]);
    // The plan PostgreSQL keeps for any group (generic), at this size: by the primary key, never the whole table.
    const name = (await raw(`SELECT name FROM pg_prepared_statements WHERE statement LIKE 'WITH attempts AS%'`))[0]!.name as string;
    const lit = (v: string) => `'${v.replace(/'/g, "''")}'`;
    const one = succeeded("dlv_missing");
    await raw(`SET plan_cache_mode = force_generic_plan`);
    try {
      const plan = (await raw(`EXPLAIN EXECUTE "${name}"(${lit(JSON.stringify([{ id: newId("att"), ...one.attempt }]))}, ${lit(JSON.stringify([one.outcome]))}, ${lit(OWNER)})`))
        .map((r) => r["QUERY PLAN"])
        .join("\n");
      expect(plan).not.toMatch(/Seq Scan on "Delivery"/);
      expect(plan).toMatch(/Index (Only )?Scan using "Delivery_pkey"/);
    } finally {
      await raw(`RESET plan_cache_mode`);
    }
    // A group whose response parser extracted values also writes leads: that statement stays
    // planned on each call (PostgreSQL keeps nothing of it), as a plan kept from a small "Lead" would read all of it.
    const [leased] = await q.query<{ id: string }>(
      `UPDATE "Delivery" SET "leaseOwner" = $1 WHERE id = (SELECT id FROM "Delivery" WHERE "ruleId" = $2 AND state = 'PENDING' AND "leaseOwner" IS NULL AND "leadId" IS NOT NULL LIMIT 1) RETURNING id`,
      [OWNER, rule.id],
    );
    const answered = succeeded(leased!.id);
    answered.outcome.responseValues = { remoteId: "r-1" };
    await recordBatch(q, OWNER, [answered], new Date());
    if (TEST_DATABASE === "postgres") expect((await prepared(q)).map((p) => p.name)).toEqual([kept!.name]);
    const done = await prisma().delivery.findMany({ where: { ruleId: rule.id, leaseOwner: null, state: "SUCCEEDED" }, select: { id: true, leadId: true } });
    expect(done).toHaveLength(9);
    const lead = await prisma().lead.findUniqueOrThrow({ where: { id: done.find((d) => d.id === leased!.id)!.leadId! } });
    expect(lead.answers).toEqual({ [rule.id]: { remoteId: "r-1" } });
  }, 180_000);
});
