import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as cron } from "@/app/api/cron/deliver/route";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { GET as getLead, PATCH as patchLead } from "@/app/api/v1/leads/[id]/route";
import { POST as postNote } from "@/app/api/v1/leads/[id]/notes/route";
import { createApiKey, revokeApiKey } from "@/lib/api/keys";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { getSigningKeys } from "@/lib/signing/organization-keys";
import { routeCaller } from "../helpers/api";
import { createTestOrg, createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { until } from "../helpers/until";
import { sql } from "@/lib/db";
import { createLead } from "@/lib/leads/mutations";

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
process.env.CRON_SECRET = "cron-secret-for-tests-0123456789";
resetEnvCache();

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;
let orgA: Awaited<ReturnType<typeof createTestOrg>>;
let keyA: string;
let keyB: string;
let failuresLeft = 0;

beforeAll(async () => {
  rx = await startReceiver(() => (failuresLeft-- > 0 ? { status: 500, body: "oops" } : { status: 200, body: "{}" }));
  orgA = await createWebhookOrg(prisma());
  const orgB = await createTestOrg(prisma());
  await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgA.org.id, title: "CRM", events: ["lead.created", "lead.status_changed"], url: `${rx.url}/crm` } });
  keyA = (await createApiKey(prisma(), orgA.org.id, "A")).key;
  keyB = (await createApiKey(prisma(), orgB.org.id, "B")).key;
});
afterAll(async () => {
  await runDispatcher(); // let a kicked dispatch finish before the database closes
  await rx.close();
});

const call = routeCaller(() => keyA);
const cronCall = (auth?: string) => cron(new Request("http://localhost/api/cron/deliver", { headers: auth ? { authorization: auth } : {} }));

describe("REST API: leads", () => {
  it("creates a lead, which reaches the rule's receiver signed via the cron route", async () => {
    const res = await call(postLead, { body: { email: "Jane@Example.test", firstName: "Jane", status: "new", customFields: { source_id: 42 } } });
    expect(res.status).toBe(201);
    const lead = (await res.json()) as { id: string; email: string; status: string };
    expect(lead).toMatchObject({ email: "jane@example.test", status: "New" });
    await runDispatcher();
    expect((await (await cronCall(`Bearer ${process.env.CRON_SECRET}`)).json()) as object).toMatchObject({ ok: true });
    const req = rx.received.find((r) => JSON.parse(r.body).data.lead.id === lead.id)!;
    const secret = (await getSigningKeys(prisma(), orgA.org.id)).current.secret;
    expect(new Webhook(secret).verify(req.body, req.headers as Record<string, string>)).toMatchObject({ type: "lead.created" });
    const got = (await (await call(getLead, { method: "GET", params: { id: lead.id } })).json()) as { webhooks: { state: string; lastStatusCode: number }[] };
    expect(got.webhooks).toEqual([expect.objectContaining({ state: "SUCCEEDED", lastStatusCode: 200 })]);
  });

  it("a receiver failing twice then succeeding ends SUCCEEDED after 3 attempts driven by the cron route", async () => {
    failuresLeft = 2;
    const res = await call(postLead, { body: { email: "retry@example.test" } });
    const { id } = (await res.json()) as { id: string };
    await runDispatcher(); // the kicked dispatch: attempt 1 fails
    for (let i = 0; i < 2; i++) {
      // make the scheduled retry due now instead of waiting 30 s / 2 min
      await prisma().delivery.updateMany({ where: { leadId: id, state: "PENDING" }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
      const summary = (await (await cronCall(`Bearer ${process.env.CRON_SECRET}`)).json()) as { claimed: number };
      expect(summary.claimed).toBe(1);
    }
    const d = await prisma().delivery.findFirstOrThrow({ where: { leadId: id }, include: { attempts: { orderBy: { number: "asc" } } } });
    expect(d.state).toBe("SUCCEEDED");
    expect(d.attempts.map((a) => a.statusCode)).toEqual([500, 500, 200]);
  });

  it("a dispatch waited for a set time (the cron route's 20 s) answers running: true while a request is open, and goes on to record it", async () => {
    const slow = await startReceiver(() => ({ status: 200, body: "{}", delayMs: 2_000 }));
    const { org } = await createWebhookOrg(prisma());
    await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "Slow", events: ["lead.created"], url: `${slow.url}/slow` } });
    const { deliveryIds } = await createLead(await sql(), org.id, { email: "slow@example.test" });
    expect(await runDispatcher(300, { why: "look" })).toMatchObject({ running: true });
    await until(() => slow.received.length === 1, 10_000);
    await runDispatcher(); // the same run, to its end
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! } })).toMatchObject({ state: "SUCCEEDED", attemptCount: 1 });
    await slow.close();
  });

  it("replays a POST with the same Idempotency-Key instead of creating a second lead", async () => {
    const body = { email: "idem@example.test" };
    const first = await call(postLead, { body, headers: { "idempotency-key": "abc-123" } });
    const second = await call(postLead, { body, headers: { "idempotency-key": "abc-123" } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(((await second.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    expect(await prisma().lead.count({ where: { email: "idem@example.test" } })).toBe(1);
    const reused = await call(postLead, { body: { email: "other@example.test" }, headers: { "idempotency-key": "abc-123" } });
    expect(reused.status).toBe(422);
  });

  it("PATCH fires lead.status_changed; notes fire lead.note_added", async () => {
    const { id } = (await (await call(postLead, { body: { email: "p@example.test", status: "New" } })).json()) as { id: string };
    const patched = await call(patchLead, { method: "PATCH", params: { id }, body: { status: "Qualified", substatus: "Under Review" } });
    expect(patched.status).toBe(200);
    expect(await prisma().event.findMany({ where: { leadId: id }, select: { type: true }, orderBy: { createdAt: "asc" } })).toEqual(
      expect.arrayContaining([{ type: "lead.updated" }, { type: "lead.status_changed" }]),
    );
    const note = await call(postNote, { params: { id }, body: { body: "Called", author: "Sam" } });
    expect(note.status).toBe(201);
    expect(await prisma().event.count({ where: { leadId: id, type: "lead.note_added" } })).toBe(1);
  });

  it("answers bad input with the error format and the right status", async () => {
    const bad = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
    };
    await bad(await call(postLead, { raw: "{not json" }), 400, "malformed_json");
    const invalid = await call(postLead, { body: { email: "nope", score: 1.5, unknown: 1 } });
    expect(invalid.status).toBe(422);
    const { error } = (await invalid.json()) as { error: { fields: Record<string, string[]> } };
    expect(Object.keys(error.fields)).toEqual(expect.arrayContaining(["email", "score"]));
    await bad(await call(postLead, { body: { email: "x@y.test", status: "Bogus" } }), 422, "validation_failed");
    await bad(await call(postLead, { raw: JSON.stringify({ email: "big@x.test", customFields: { blob: "x".repeat(100) }, pad: "y".repeat(1024 * 1024) }) }), 413, "payload_too_large");
    await bad(await call(postLead, { key: null, body: { email: "a@b.test" } }), 401, "unauthorized");
    await bad(await call(postLead, { key: "lhk_" + "x".repeat(40), body: { email: "a@b.test" } }), 401, "unauthorized");
  });

  it("refuses a revoked key, and another organization's key gets 404 for this lead", async () => {
    const { id } = (await (await call(postLead, { body: { email: "iso@example.test" } })).json()) as { id: string };
    expect((await call(getLead, { method: "GET", key: keyB, params: { id } })).status).toBe(404);
    expect((await call(patchLead, { method: "PATCH", key: keyB, params: { id }, body: { firstName: "Mallory" } })).status).toBe(404);
    expect((await call(postNote, { key: keyB, params: { id }, body: { body: "x" } })).status).toBe(404);
    expect((await prisma().lead.findUniqueOrThrow({ where: { id } })).firstName).toBeNull();
    const temp = await createApiKey(prisma(), orgA.org.id, "temp");
    await revokeApiKey(prisma(), orgA.org.id, temp.record.id);
    expect((await call(getLead, { method: "GET", key: temp.key, params: { id } })).status).toBe(401);
  });

  it("the cron route refuses a missing or wrong secret", async () => {
    expect((await cronCall()).status).toBe(401);
    expect((await cronCall("Bearer wrong")).status).toBe(401);
  });
});
