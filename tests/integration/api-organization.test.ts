import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { GET as getLead, PATCH as patchLead } from "@/app/api/v1/leads/[id]/route";
import { POST as postNote } from "@/app/api/v1/leads/[id]/notes/route";
import { GET as getOrganization, PATCH as patchOrganization } from "@/app/api/v1/organization/route";
import { createApiKey } from "@/lib/api/keys";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { routeCaller } from "../helpers/api";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// The organization's Enable Webhooks switch through the API: a new organization has it off, and
// an API user must be able to see that, turn it on, and be told when a lead's events went nowhere.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;
let org: Awaited<ReturnType<typeof createTestOrg>>;
let other: Awaited<ReturnType<typeof createTestOrg>>;
let key: string;
let otherKey: string;

beforeAll(async () => {
  rx = await startReceiver(() => ({ status: 200, body: "{}" }));
  org = await createTestOrg(prisma(), "Switch Co"); // as on a new install: Enable Webhooks is off
  other = await createTestOrg(prisma(), "Other Co");
  await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.org.id, title: "CRM", events: ["lead.created", "lead.updated", "lead.note_added"], url: `${rx.url}/crm` } });
  key = (await createApiKey(prisma(), org.org.id, "switch")).key;
  otherKey = (await createApiKey(prisma(), other.org.id, "other")).key;
});
afterAll(async () => {
  await runDispatcher();
  await rx.close();
});

const call = routeCaller(() => key);
type LeadAnswer = { id: string; webhooks: unknown[]; webhooksEnabled: boolean; warning?: string };

describe("REST API: the organization's Enable Webhooks switch", () => {
  it("GET /api/v1/organization shows the switch (off on a new organization)", async () => {
    const res = await call(getOrganization);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: org.org.id, name: "Switch Co", webhooksEnabled: false });
  });

  it("a lead accepted while webhooks are off says so, and why its webhooks list is empty", async () => {
    const res = await call(postLead, { body: { email: "off@example.test" } });
    expect(res.status).toBe(201);
    const lead = (await res.json()) as LeadAnswer;
    expect(lead.webhooks).toEqual([]);
    expect(lead.webhooksEnabled).toBe(false);
    expect(lead.warning).toMatch(/Enable Webhooks is off/);
    expect(lead.warning).toMatch(/PATCH \/api\/v1\/organization/);
    const got = (await (await call(getLead, { id: lead.id })).json()) as LeadAnswer;
    expect(got).toMatchObject({ webhooksEnabled: false, warning: lead.warning });
    const patched = (await (await call(patchLead, { method: "PATCH", id: lead.id, body: { firstName: "Off" } })).json()) as LeadAnswer;
    expect(patched).toMatchObject({ webhooksEnabled: false, warning: lead.warning });
    const note = (await (await call(postNote, { id: lead.id, body: { body: "Hello" } })).json()) as LeadAnswer;
    expect(note).toMatchObject({ webhooksEnabled: false, warning: lead.warning });
  });

  it("PATCH /api/v1/organization turns the switch on; the next lead is queued for the webhook, without a warning", async () => {
    const res = await call(patchOrganization, { method: "PATCH", body: { webhooksEnabled: true } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: org.org.id, name: "Switch Co", webhooksEnabled: true });
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.org.id } })).webhooksEnabled).toBe(true);

    const lead = (await (await call(postLead, { body: { email: "on@example.test" } })).json()) as LeadAnswer;
    expect(lead.webhooks).toEqual([expect.objectContaining({ ruleTitle: "CRM", state: "PENDING" })]);
    expect(lead.webhooksEnabled).toBe(true);
    expect(lead).not.toHaveProperty("warning");
    await runDispatcher();
    expect(rx.received.some((r) => JSON.parse(r.body).data.lead.id === lead.id)).toBe(true);
  });

  it("refuses bad bodies with field errors, and changes only the key's own organization", async () => {
    const bad = await call(patchOrganization, { method: "PATCH", body: { webhooksEnabled: "yes" } });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toHaveProperty("webhooksEnabled");
    expect((await call(patchOrganization, { method: "PATCH", body: {} })).status).toBe(422);
    expect((await call(patchOrganization, { method: "PATCH", body: { id: other.org.id, webhooksEnabled: false } })).status).toBe(422);

    const res = await call(patchOrganization, { method: "PATCH", key: otherKey, body: { webhooksEnabled: true } });
    expect(await res.json()).toEqual({ id: other.org.id, name: "Other Co", webhooksEnabled: true });
    await call(patchOrganization, { method: "PATCH", key: otherKey, body: { webhooksEnabled: false } });
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.org.id } })).webhooksEnabled).toBe(true);
    expect((await call(getOrganization, { key: null })).status).toBe(401);
  });
});
