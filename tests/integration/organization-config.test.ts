import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { insertAll, isGuardFailed } from "@/lib/db/sql";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { rotateSigningKey, signingSecretsAt, getSigningKeys } from "@/lib/signing/organization-keys";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";

// Accepting an event reads the organization's rules and reference lists from a per-process cache
// keyed by Organization.configVersion, which triggers bump on every change, whoever makes it. The
// changes below are made with plain SQL, as another process (or an operator) would: the next
// event must see each of them at once.

const prisma = useTestDatabase();

const version = async (orgId: string) => (await prisma().organization.findUniqueOrThrow({ where: { id: orgId } })).configVersion;

async function setUp() {
  const { org } = await createWebhookOrg(prisma());
  const rule = await prisma().webhookRule.create({
    data: { id: newId("rule"), organizationId: org.id, title: "CRM", events: ["lead.created"], url: "https://crm.example.test/hook" },
  });
  return { orgId: org.id, ruleId: rule.id };
}

describe("the organization's cached configuration", () => {
  it("follows rule changes made outside this process at the next event", async () => {
    const { orgId, ruleId } = await setUp();
    const q = await sql();
    expect((await createLead(q, orgId, { email: "one@example.test" })).deliveryIds).toHaveLength(1); // cached now

    await q.query(`UPDATE "WebhookRule" SET enabled = false WHERE id = $1`, [ruleId]);
    expect((await createLead(q, orgId, { email: "two@example.test" })).deliveryIds).toEqual([]);

    await q.query(`UPDATE "WebhookRule" SET enabled = true, url = 'https://other.example.test/new' WHERE id = $1`, [ruleId]);
    const third = await createLead(q, orgId, { email: "three@example.test" });
    const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: third.deliveryIds[0]! } });
    expect(delivery.url).toBe("https://other.example.test/new");

    await q.query(`UPDATE "WebhookRule" SET events = ARRAY['lead.updated'] WHERE id = $1`, [ruleId]);
    expect((await createLead(q, orgId, { email: "four@example.test" })).deliveryIds).toEqual([]);
  });

  it("follows creation rules, case types and reference lists changed outside this process", async () => {
    const { orgId, ruleId } = await setUp();
    const q = await sql();
    await createLead(q, orgId, { email: "warm@example.test" });
    const office = await prisma().referenceItem.findFirstOrThrow({ where: { organizationId: orgId, kind: "OFFICE", name: "Downtown" } });

    // A renamed item: the new name is accepted (and stored in its spelling), the old one refused.
    await q.query(`UPDATE "ReferenceItem" SET name = 'City Centre' WHERE id = $1`, [office.id]);
    expect((await createLead(q, orgId, { email: "a@example.test", office: "city centre" })).lead.office).toBe("City Centre");
    await expect(createLead(q, orgId, { email: "b@example.test", office: "Downtown" })).rejects.toMatchObject({ fieldErrors: { office: [expect.stringMatching(/Unknown office/)] } });

    // A creation rule on that office, then a case type on the rule.
    await q.query(`UPDATE "WebhookRule" SET "officeId" = $2 WHERE id = $1`, [ruleId, office.id]);
    expect((await createLead(q, orgId, { email: "c@example.test" })).deliveryIds).toEqual([]);
    expect((await createLead(q, orgId, { email: "d@example.test", office: "City Centre" })).deliveryIds).toHaveLength(1);
    const caseType = await prisma().referenceItem.findFirstOrThrow({ where: { organizationId: orgId, kind: "CASE_TYPE" } });
    await q.query(`INSERT INTO "RuleCaseType" ("ruleId", "caseTypeId") VALUES ($1, $2)`, [ruleId, caseType.id]);
    expect((await createLead(q, orgId, { email: "e@example.test", office: "City Centre" })).deliveryIds).toEqual([]);
    expect((await createLead(q, orgId, { email: "f@example.test", office: "City Centre", caseType: caseType.name })).deliveryIds).toHaveLength(1);
  });

  it("is not invalidated by the rule's health counters, and is by its signing keys", async () => {
    const { orgId, ruleId } = await setUp();
    const q = await sql();
    const before = await version(orgId);
    await q.query(`UPDATE "WebhookRule" SET "consecutiveFailures" = 3, "failureWarningLevel" = 50, "updatedAt" = now() WHERE id = $1`, [ruleId]);
    expect(await version(orgId)).toBe(before);

    const keys = await signingSecretsAt(q, orgId, before, new Date());
    expect(keys).toEqual([(await getSigningKeys(prisma(), orgId)).current.secret]);
    await rotateSigningKey(prisma(), orgId);
    const after = await version(orgId);
    expect(after).toBeGreaterThan(before);
    const rotated = await getSigningKeys(prisma(), orgId);
    // The new version reads the rotated keys: the new key signs first, the old one still signs.
    expect(await signingSecretsAt(q, orgId, after, new Date())).toEqual([rotated.current.secret, keys[0]]);
  });
});

describe("writing several tables in one statement", () => {
  it("stores all of the rows or none of them", async () => {
    const { orgId } = await setUp();
    const q = await sql();
    const now = new Date();
    const lead = { id: newId("lead"), organizationId: orgId, email: "atomic@example.test", customFields: {}, createdAt: now, updatedAt: now };
    const leadRows = { table: "Lead", columns: { id: "text", organizationId: "text", email: "text", customFields: "jsonb", createdAt: "timestamp", updatedAt: "timestamp" }, rows: [lead] } as const;
    const key = { organizationId: orgId, key: "k-1", requestHash: "h", statusCode: 201, response: {}, createdAt: now };
    const keyRows = { table: "IdempotencyKey", columns: { organizationId: "text", key: "text", requestHash: "text", statusCode: "int", response: "jsonb", createdAt: "timestamp" }, rows: [key] } as const;
    expect(await insertAll(q, [leadRows, keyRows])).toEqual([1, 1]);
    const stored = await prisma().lead.findUniqueOrThrow({ where: { id: lead.id } });
    expect(stored.createdAt.toISOString()).toBe(now.toISOString()); // stored as UTC, read back the same

    // The same key again: the second table refuses its row, so the first table's new row is not kept either.
    const second = { ...lead, id: newId("lead") };
    await expect(insertAll(q, [{ ...leadRows, rows: [second] }, keyRows])).rejects.toMatchObject({ code: "23505" });
    expect(await prisma().lead.findUnique({ where: { id: second.id } })).toBeNull();
  });

  it("writes nothing, and says so, when the statement's guard finds no row; everything when it does", async () => {
    const { orgId } = await setUp();
    const q = await sql();
    const now = new Date();
    const columns = { id: "text", organizationId: "text", email: "text", customFields: "jsonb", createdAt: "timestamp", updatedAt: "timestamp" } as const;
    const row = () => ({ id: newId("lead"), organizationId: orgId, email: "guarded@example.test", customFields: {}, createdAt: now, updatedAt: now });
    const guardOn = (name: string) => ({ text: `SELECT 1 FROM "Organization" WHERE id = $1 AND name = $2`, params: [orgId, name] });
    const { name } = await prisma().organization.findUniqueOrThrow({ where: { id: orgId } });

    const refused = row();
    await expect(insertAll(q, [{ table: "Lead", columns, rows: [refused] }], guardOn(`${name} (renamed)`))).rejects.toSatisfy(isGuardFailed);
    expect(await prisma().lead.findUnique({ where: { id: refused.id } })).toBeNull();

    const kept = row();
    expect(await insertAll(q, [{ table: "Lead", columns, rows: [kept] }], guardOn(name))).toEqual([1]);
    expect(await prisma().lead.findUnique({ where: { id: kept.id } })).not.toBeNull();
  });
});
