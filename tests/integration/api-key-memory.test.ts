import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { createApiKey, revokeApiKey } from "@/lib/api/keys";
import { sql } from "@/lib/db";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { newId } from "@/lib/core/ids";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";

// Lead intake starts from an API key the process checked in the last minute and lets its insert
// confirm, in the same statement, that the key is still active and the organization's row (its
// name, webhook switch and configuration version) unchanged. Each change below is made after the
// key was remembered; the very next lead must see it.

const prisma = useTestDatabase();
let orgId: string;
let key: string;
let keyId: string;

beforeAll(async () => {
  orgId = (await createWebhookOrg(prisma())).org.id;
  const created = await createApiKey(prisma(), orgId, "intake");
  key = created.key;
  keyId = created.record.id;
});
afterAll(async () => {
  await runDispatcher(); // let a kicked dispatch finish before the database closes
});

const call = routeCaller(() => key);
const post = async (email: string) => {
  const res = await call(postLead, { body: { email } });
  return { status: res.status, body: (await res.json()) as { id?: string; webhooks?: unknown[]; error?: { code: string } } };
};
const leadsWith = (email: string) => prisma().lead.count({ where: { organizationId: orgId, email } });

describe("lead intake with a remembered API key", () => {
  it("accepts a lead in one statement once the key is remembered (the insert confirms the key)", async () => {
    await post("remembers@example.test");
    const q = await sql();
    const query = q.query;
    const texts: string[] = [];
    q.query = (text, params, name) => (texts.push(text), query(text, params, name));
    try {
      expect((await post("one-statement@example.test")).status).toBe(201);
    } finally {
      q.query = query;
    }
    expect(texts).toHaveLength(1);
    expect(texts[0]).toMatch(/^WITH guard AS \(SELECT 1 FROM "ApiKey"/);
  });

  it("sees a rule added after the key was remembered at the next lead", async () => {
    expect((await post("before-rule@example.test")).body.webhooks).toEqual([]);
    await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "CRM", events: ["lead.created"], url: "https://crm.example.test/hook" } });
    const after = await post("after-rule@example.test");
    expect(after.status).toBe(201);
    expect(after.body.webhooks).toHaveLength(1);
  });

  it("sends nothing once the organization switched webhooks off, at the next lead", async () => {
    expect((await post("while-on@example.test")).body.webhooks).toHaveLength(1);
    await prisma().organization.update({ where: { id: orgId }, data: { webhooksEnabled: false } });
    const off = await post("while-off@example.test");
    expect(off.status).toBe(201);
    expect(off.body.webhooks).toEqual([]);
    expect(await prisma().delivery.count({ where: { organizationId: orgId, lead: { email: "while-off@example.test" } } })).toBe(0);
    await prisma().organization.update({ where: { id: orgId }, data: { webhooksEnabled: true } });
  });

  it("refuses a key revoked after it was remembered, and stores nothing", async () => {
    expect((await post("before-revoke@example.test")).status).toBe(201);
    await revokeApiKey(prisma(), orgId, keyId);
    const refused = await post("after-revoke@example.test");
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe("unauthorized");
    expect(await leadsWith("after-revoke@example.test")).toBe(0);
  });

  it("answers a revoked remembered key 401 whatever is wrong with the request, never an answer about its body", async () => {
    const other = await createApiKey(prisma(), orgId, "revoked-later");
    const callOther = routeCaller(() => other.key);
    expect((await callOther(postLead, { body: { email: "remember-me@example.test" } })).status).toBe(201);
    // Still remembered: with the key valid, a bad body is answered about the body.
    const invalid = { body: { email: 42 } };
    expect((await callOther(postLead, invalid)).status).toBe(422);
    await revokeApiKey(prisma(), orgId, other.record.id);
    for (const bad of [invalid, { body: { email: "x@example.test" }, headers: { "Idempotency-Key": "" } }]) {
      const res = await callOther(postLead, bad);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
  });
});
