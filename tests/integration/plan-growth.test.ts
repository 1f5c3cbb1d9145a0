import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { analyzeGrown } from "@/lib/db/plans";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useOneConnection } from "../helpers/one-connection";
import { copyDeliveries } from "../helpers/delivery-copies";

// A named statement's plan is kept (PostgreSQL: per connection; PGlite: in its one session) and
// made again only once a table it reads is analyzed. The delivering processes analyze "Delivery"
// each time it has grown eightfold (lib/db/plans.ts), so a plan made while "Delivery" held
// a few rows does not go on reading the whole table once it holds thousands.

const prisma = useTestDatabase();
const oneConnection = useOneConnection(prisma);
// Smaller than the processes' thresholds (eightfold, past 1,024 pages), to keep the test quick.
const GROWTH = { factor: 8, minPages: 64 };

// Joins a group of ids to "Delivery", as recording outcomes does.
const NAME = "plan_growth_probe";
const JOIN = `SELECT count(*)::int AS n FROM "Delivery" d JOIN jsonb_to_recordset($1::jsonb) AS v(id text) ON d.id = v.id WHERE d."leaseOwner" IS NULL`;

describe("plans follow the tables as they grow", () => {
  it("a plan kept from a nearly empty table is made again once the table has grown and been analyzed", async () => {
    const { org } = await createWebhookOrg(prisma());
    await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "http://receiver.test/" } });
    for (let i = 0; i < 3; i++) await createLead(await sql(), org.id, { email: `few${i}@x.test` });
    const { q } = await oneConnection();
    const ids = (await prisma().delivery.findMany({ select: { id: true } })).map((d) => ({ id: d.id }));
    // Enough calls on the small table for a plan to be kept.
    for (let i = 0; i < 8; i++) expect((await q.query<{ n: number }>(JOIN, [JSON.stringify(ids)], NAME))[0]!.n).toBe(ids.length);
    expect(await analyzeGrown(q, GROWTH)).toEqual([]); // nothing has grown yet

    const [seed] = ids;
    await copyDeliveries(prisma(), "d.id = $1", seed!.id, 20000);
    expect(await analyzeGrown(q, GROWTH)).toContain("Delivery");
    expect(await analyzeGrown(q, GROWTH)).toEqual([]); // analyzed: it has not grown since

    const group = JSON.stringify(ids.map(({ id }) => ({ id: `${id}-7` })).concat(ids));
    expect((await q.query<{ n: number }>(JOIN, [group], NAME))[0]!.n).toBe(ids.length + 1);
    const plan = (await q.query<{ "QUERY PLAN": string }>(`EXPLAIN EXECUTE ${NAME}('${group.replace(/'/g, "''")}')`)).map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).not.toMatch(/Seq Scan on "Delivery"/);
    expect(plan).toMatch(/Index (Only )?Scan using "Delivery_pkey"/);
  }, 120_000);
});
