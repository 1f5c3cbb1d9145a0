import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as retryRoute } from "@/app/api/v1/deliveries/[id]/retry/route";
import { POST as replayRoute } from "@/app/api/v1/deliveries/replay/route";
import { GET as eventTypesRoute } from "@/app/api/v1/event-types/route";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/v1/webhooks/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { GET as logsRoute } from "@/app/api/v1/webhooks/[id]/logs/route";
import { POST as rotateRoute } from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import { resetApiRateLimiter } from "@/lib/api/rate-limit";
import { createApiKey, revokeApiKey } from "@/lib/api/keys";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetEnvCache } from "@/lib/core/env";
import { EVENT_TYPES } from "@/lib/domain/event-types";
import { newId } from "@/lib/core/ids";
import { getSigningKeys } from "@/lib/signing/organization-keys";
import { ruleSigningSecrets } from "@/lib/signing/rule-secrets";
import { decryptSecret } from "@/lib/security/crypto";
import { routeCaller } from "../helpers/api";
import { createTestOrg, createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// The webhooks REST API, called through its route handlers with real Requests, against a real
// receiver and the real dispatcher.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;
let orgA: Awaited<ReturnType<typeof createTestOrg>>;
let keyA: string;
let keyB: string;
let failing = true;

beforeAll(async () => {
  resetApiRateLimiter();
  rx = await startReceiver((r) => (r.path.startsWith("/fail") && failing ? { status: 500, body: '{"error":"down"}' } : { status: 200, body: "{}" }));
  orgA = await createWebhookOrg(prisma(), { name: "Acme Intake" });
  const orgB = await createTestOrg(prisma(), "Other Co");
  keyA = (await createApiKey(prisma(), orgA.org.id, "A")).key;
  keyB = (await createApiKey(prisma(), orgB.org.id, "B")).key;
});
afterAll(async () => {
  await runDispatcher(); // let a kicked dispatch finish before the database closes
  await rx.close();
});

const call = routeCaller(() => keyA);
const json = async <T = Record<string, any>>(res: Response) => (await res.json()) as T; // eslint-disable-line @typescript-eslint/no-explicit-any
const fieldsOf = async (res: Response) => {
  expect(res.status).toBe(422);
  return (await json<{ error: { code: string; fields: Record<string, string[]> } }>(res)).error.fields;
};

async function create(body: Record<string, unknown>) {
  const res = await call(createRoute, { body: { title: "CRM", events: ["lead.created"], ...body } });
  const out = await json(res);
  if (res.status !== 201) throw new Error(`create failed ${res.status}: ${JSON.stringify(out)}`);
  return out as { id: string; secret: string } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function sendLead(email: string) {
  const res = await call(postLead, { body: { email, firstName: "Jane", status: "New", caseType: "Personal Injury" } });
  expect(res.status).toBe(201);
  const lead = await json<{ id: string }>(res);
  await runDispatcher();
  return lead.id;
}
const receivedFor = (path: string, leadId: string) => rx.received.filter((r) => r.path === path && r.body.includes(leadId));

describe("webhooks API: create, read, signing secret", () => {
  it("creates a webhook, returns its secret once, and shows the rule form's values by name", async () => {
    const created = await create({
      url: `${rx.url}/hook-a`,
      events: ["lead.assigned", "lead.created"],
      creationRules: { status: "new", caseTypes: ["personal injury"] },
      authentication: { type: "BASIC", username: "crm-user", password: "s3cret-pass-value" },
      request: { mapping: { mode: "custom", fields: [{ target: "contact.email", value: "lead.email" }] } },
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created).toMatchObject({
      title: "CRM", enabled: true, events: ["lead.created", "lead.assigned"],
      creationRules: { status: "New", substatus: null, caseTypes: ["Personal Injury"], office: null, requiresCaseTrackerCode: false },
      authentication: { type: "BASIC", username: "crm-user", secretsSet: ["password"] },
      request: { method: "POST", format: "JSON", mapping: { mode: "custom", fields: [expect.objectContaining({ target: "contact.email", source: "field" })] } },
      retryPolicy: { kind: "schedule", delaysSeconds: [0, 30, 120, 600, 3600, 21600] },
      signing: { ownSecret: true, previousSecretExpiresAt: null },
    });
    expect(created.authentication).not.toHaveProperty("password");

    const row = await prisma().webhookRule.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.signingSecretEncrypted).not.toContain(created.secret.slice(6));
    expect(decryptSecret(row.signingSecretEncrypted!)).toBe(created.secret);

    const got = await call(getRoute, { id: created.id });
    expect(got.status).toBe(200);
    const text = JSON.stringify(await json(got));
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain("s3cret-pass-value");
    const list = await json<{ data: { id: string }[] }>(await call(listRoute));
    expect(list.data.map((w) => w.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.secret);
  });

  // Needs the dispatcher to sign with ruleSigningSecrets (wired by the lead in lib/delivery/engine/dispatcher.ts).
  it("a delivery to it verifies with its own secret, not with the organization's key; after rotation with both secrets", async () => {
    const { id, secret } = await create({ url: `${rx.url}/signed` });
    const orgKey = (await getSigningKeys(prisma(), orgA.org.id)).current.secret;
    const leadId = await sendLead("signed@example.test");
    const [req] = receivedFor("/signed", leadId);
    expect(req).toBeDefined();
    const headers = req!.headers as Record<string, string>;
    expect(new Webhook(secret).verify(req!.body, headers)).toMatchObject({ type: "lead.created" });
    expect(() => new Webhook(orgKey).verify(req!.body, headers)).toThrow();

    const rotated = await json<{ secret: string }>(await call(rotateRoute, { method: "POST", id }));
    const lead2 = await sendLead("rotated@example.test");
    const [req2] = receivedFor("/signed", lead2);
    for (const s of [secret, rotated.secret]) expect(new Webhook(s).verify(req2!.body, req2!.headers as Record<string, string>)).toMatchObject({ type: "lead.created" });
  });

  it("rotate-secret returns a new secret once; the previous one keeps signing for 24 hours", async () => {
    const { id, secret } = await create({ url: `${rx.url}/rotate` });
    const before = Date.now();
    const res = await call(rotateRoute, { method: "POST", id });
    expect(res.status).toBe(200);
    const rotated = await json<{ secret: string; previousSecretExpiresAt: string }>(res);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    const expires = Date.parse(rotated.previousSecretExpiresAt);
    expect(expires - before).toBeGreaterThanOrEqual(24 * 3600_000 - 1000);
    expect(expires - before).toBeLessThanOrEqual(24 * 3600_000 + 60_000);
    const got = await json(await call(getRoute, { id }));
    expect(got.signing).toEqual({ ownSecret: true, previousSecretExpiresAt: rotated.previousSecretExpiresAt });
    expect(JSON.stringify(got)).not.toContain(rotated.secret);

    const row = await prisma().webhookRule.findUniqueOrThrow({ where: { id } });
    expect(ruleSigningSecrets(row, new Date())).toEqual([rotated.secret, secret]);
    expect(ruleSigningSecrets(row, new Date(expires + 1))).toEqual([rotated.secret]);

    // A rule made in the admin signs with the organization's key until it is given its own.
    const uiRule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgA.org.id, title: "UI", events: ["lead.deleted"], url: `${rx.url}/ui`, enabled: false } });
    expect(ruleSigningSecrets(uiRule, new Date())).toBeNull();
    const first = await json<{ secret: string }>(await call(rotateRoute, { method: "POST", id: uiRule.id }));
    const orgKey = (await getSigningKeys(prisma(), orgA.org.id)).current.secret;
    const uiRow = await prisma().webhookRule.findUniqueOrThrow({ where: { id: uiRule.id } });
    expect(ruleSigningSecrets(uiRow, new Date())).toEqual([first.secret, orgKey]);
  });

  it("lists the event types with descriptions and a sample payload each", async () => {
    const res = await call(eventTypesRoute);
    expect(res.status).toBe(200);
    const { data } = await json<{ data: { name: string; description: string; samplePayload: { type: string; organization: { name: string }; data: Record<string, unknown> } }[] }>(res);
    expect(data.map((e) => e.name)).toEqual(EVENT_TYPES.map((e) => e.name));
    for (const e of data) {
      expect(e.description.length).toBeGreaterThan(10);
      expect(e.samplePayload).toMatchObject({ type: e.name, organization: { name: "Acme Intake" } });
    }
    expect(data.find((e) => e.name === "lead.note_added")!.samplePayload.data.note).toMatchObject({ body: expect.any(String) });
  });
});

describe("webhooks API: change, delete, logs, retry, replay", () => {
  it("PATCH merges over the current values and changes what the next delivery sends", async () => {
    const hook = await create({ url: `${rx.url}/v1`, authentication: { type: "BEARER", token: "tok-123456" } });
    const res = await call(patchRoute, {
      method: "PATCH", id: hook.id,
      body: { url: `${rx.url}/v2`, request: { format: "FORM", mapping: { mode: "custom", fields: [{ target: "email", value: "lead.email" }, { target: "first", value: "lead.firstName", case: "upper" }] } } },
    });
    expect(res.status).toBe(200);
    const patched = await json(res);
    expect(patched).toMatchObject({ title: "CRM", url: `${rx.url}/v2`, events: ["lead.created"], authentication: { type: "BEARER", prefix: "Bearer", secretsSet: ["token"] }, request: { format: "FORM" } });

    const leadId = await sendLead("patched@example.test");
    expect(receivedFor("/v1", leadId)).toHaveLength(0);
    const got = rx.received.filter((r) => r.path === "/v2" && r.body.includes("patched%40example.test"));
    expect(got).toHaveLength(1);
    expect(got[0]!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(got[0]!.body).toBe("email=patched%40example.test&first=JANE");
    expect(got[0]!.headers.authorization).toBe("Bearer tok-123456"); // the stored token was kept

    // The form's rules apply to the merged whole: a new auth type needs its secret.
    const fields = await fieldsOf(await call(patchRoute, { method: "PATCH", id: hook.id, body: { authentication: { type: "API_KEY", keyName: "X-Key" } } }));
    expect(Object.keys(fields)).toEqual(["authentication.keyValue"]);
    expect((await fieldsOf(await call(patchRoute, { method: "PATCH", id: hook.id, body: { events: [] } }))).events).toBeDefined();

    // Enabling a webhook that was disabled automatically clears why, as enabling it in the admin does.
    await prisma().webhookRule.update({ where: { id: hook.id }, data: { enabled: false, disabledReason: "50 failed deliveries in a row", disabledAt: new Date(), consecutiveFailures: 50 } });
    expect(await json(await call(getRoute, { id: hook.id }))).toMatchObject({ enabled: false, disabledReason: "50 failed deliveries in a row" });
    const enabled = await json(await call(patchRoute, { method: "PATCH", id: hook.id, body: { enabled: true } }));
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).consecutiveFailures).toBe(0);
  });

  it("DELETE refuses an enabled webhook with 409 unless forced; a disabled one is deleted", async () => {
    const a = await create({ url: `${rx.url}/del-a` });
    const refused = await call(deleteRoute, { method: "DELETE", id: a.id });
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe("webhook_enabled");
    expect(await prisma().webhookRule.count({ where: { id: a.id } })).toBe(1);
    expect((await call(deleteRoute, { method: "DELETE", id: a.id, query: { force: "true" } })).status).toBe(204);
    expect((await call(getRoute, { id: a.id })).status).toBe(404);

    const b = await create({ url: `${rx.url}/del-b` });
    const off = await call(patchRoute, { method: "PATCH", id: b.id, body: { enabled: false } });
    expect(await json(off)).toMatchObject({ enabled: false, disabledAt: expect.any(String) });
    expect((await call(deleteRoute, { method: "DELETE", id: b.id })).status).toBe(204);
    expect(await prisma().webhookRule.count({ where: { id: b.id } })).toBe(0);
  });

  it("logs list deliveries with their attempts and filters; retry and bulk replay re-send the same delivery", async () => {
    failing = true;
    const hook = await create({ url: `${rx.url}/fail`, retryPolicy: { kind: "schedule", delaysSeconds: [0] }, authentication: { type: "BEARER", token: "log-secret-token" } });
    const leadId = await sendLead("logs@example.test");
    const logs = async (query: Record<string, string> = {}) => {
      const res = await call(logsRoute, { id: hook.id, query });
      expect(res.status).toBe(200);
      return json<{ data: { id: string; state: string; attempts: { response: { status: number }; request: { headers: Record<string, string> } }[] }[]; nextCursor: string | null }>(res);
    };
    const failed = await logs({ state: "FAILED", status: "500" });
    expect(failed.data).toHaveLength(1);
    const delivery = failed.data[0]!;
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]!.response.status).toBe(500);
    const sentHeaders = Object.fromEntries(Object.entries(delivery.attempts[0]!.request.headers).map(([k, v]) => [k.toLowerCase(), v]));
    expect(sentHeaders.authorization).toBe("[redacted]");
    expect(JSON.stringify(failed)).not.toContain("log-secret-token");
    expect((await logs({ state: "SUCCEEDED" })).data).toHaveLength(0);
    expect((await logs({ status: "2xx" })).data).toHaveLength(0);
    expect((await logs({ from: new Date(Date.now() + 60_000).toISOString() })).data).toHaveLength(0);
    expect((await logs({ to: new Date(Date.now() + 60_000).toISOString(), status: "5xx" })).data).toHaveLength(1);
    expect((await call(logsRoute, { id: hook.id, query: { state: "BROKEN" } })).status).toBe(400);

    failing = false;
    const retried = await call(retryRoute, { method: "POST", id: delivery.id });
    expect(retried.status).toBe(202);
    await runDispatcher();
    const afterRetry = (await logs()).data[0]!;
    expect(afterRetry).toMatchObject({ id: delivery.id, state: "SUCCEEDED" });
    expect(afterRetry.attempts.map((a) => a.response.status)).toEqual([500, 200]);

    const replay = await call(replayRoute, { body: { webhookId: hook.id, from: new Date(Date.now() - 3600_000).toISOString(), to: new Date().toISOString(), states: ["SUCCEEDED"] } });
    expect(replay.status).toBe(202);
    expect(await json(replay)).toEqual({ count: 1 });
    await runDispatcher();
    const sent = receivedFor("/fail", leadId);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.headers["webhook-id"]))).toEqual(new Set([delivery.id]));
    expect((await fieldsOf(await call(replayRoute, { body: { from: "yesterday", to: new Date().toISOString() } }))).from).toBeDefined();

    // Pages: one delivery per page, then none left.
    await sendLead("logs2@example.test");
    const page1 = await logs({ limit: "1" });
    expect(page1.data).toHaveLength(1);
    const page2 = await logs({ limit: "1", cursor: page1.nextCursor! });
    expect(page2.data).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    expect(page2.data[0]!.id).not.toBe(page1.data[0]!.id);
  });

  it("retry leaves a delivery that is being sent alone: its lease is kept, so no second dispatcher sends it at once", async () => {
    failing = true;
    const hook = await create({ url: `${rx.url}/fail`, retryPolicy: { kind: "schedule", delaysSeconds: [3600] } });
    await sendLead("inflight@example.test");
    const delivery = await prisma().delivery.findFirstOrThrow({ where: { ruleId: hook.id } });
    const leaseExpiresAt = new Date(Date.now() + 60_000);
    await prisma().delivery.update({ where: { id: delivery.id }, data: { state: "PENDING", leaseOwner: "other-dispatcher", leaseExpiresAt } });

    const refused = await call(retryRoute, { method: "POST", id: delivery.id });
    expect(refused.status).toBe(422);
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ state: "PENDING", leaseOwner: "other-dispatcher", leaseExpiresAt });

    // A lease that ran out (its dispatcher died) no longer protects it; nor does waiting for a retry.
    await prisma().delivery.update({ where: { id: delivery.id }, data: { leaseExpiresAt: new Date(Date.now() - 1000), nextAttemptAt: new Date(Date.now() + 3600_000) } });
    expect((await call(retryRoute, { method: "POST", id: delivery.id })).status).toBe(202);
    const requeued = await prisma().delivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(requeued).toMatchObject({ state: "PENDING", leaseOwner: null, leaseExpiresAt: null });
    expect(requeued.nextAttemptAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it("lists webhooks page by page", async () => {
    const all = await json<{ data: { id: string }[] }>(await call(listRoute, { query: { limit: "100" } }));
    expect(all.data.length).toBeGreaterThanOrEqual(3);
    const first = await json<{ data: { id: string }[]; nextCursor: string }>(await call(listRoute, { query: { limit: "2" } }));
    const second = await json<{ data: { id: string }[] }>(await call(listRoute, { query: { limit: "2", cursor: first.nextCursor } }));
    const byPage = await json<{ data: { id: string }[] }>(await call(listRoute, { query: { limit: "2", page: "2" } }));
    expect([...first.data, ...second.data].map((w) => w.id)).toEqual(all.data.slice(0, 4).map((w) => w.id));
    expect(byPage.data).toEqual(second.data);
    expect((await call(listRoute, { query: { limit: "0" } })).status).toBe(400);
    expect((await call(listRoute, { query: { cursor: "garbage" } })).status).toBe(400);
    // A date JavaScript reads but the database cannot hold is a bad cursor too, not a 500.
    const forged = Buffer.from(JSON.stringify(["-099999-01-01T00:00:00.000Z", "rule_x"])).toString("base64url");
    expect((await call(listRoute, { query: { cursor: forged } })).status).toBe(400);
  });
});

describe("webhooks API: refusals", () => {
  it("answers bad bodies with 422 and the fields, under the API's names", async () => {
    const bad = (body: Record<string, unknown>) => call(createRoute, { body: { title: "Bad", url: "https://93.184.215.14/hook", events: ["lead.created"], ...body } });
    expect((await fieldsOf(await bad({ url: "notaurl" }))).url).toEqual([expect.stringMatching(/absolute URL/)]);
    expect((await fieldsOf(await bad({ url: "https://10.1.2.3/hook" }))).url).toEqual([expect.stringMatching(/private-network address.*public addresses/)]);
    expect((await fieldsOf(await bad({ events: ["lead.created", "lead.exploded"] })))["events.1"]).toEqual([expect.stringMatching(/Unknown event type "lead.exploded"/)]);
    expect((await fieldsOf(await bad({ creationRules: { status: "Bogus" } })))["creationRules.status"]).toEqual([expect.stringMatching(/Unknown lead status "Bogus"/)]);
    expect((await fieldsOf(await bad({ authentication: { type: "BASIC" } })))["authentication.username"]).toBeDefined();
    expect(Object.keys(await fieldsOf(await bad({ authentication: { type: "BASIC", username: "u" } })))).toEqual(["authentication.password"]);
    const mapping = await fieldsOf(await bad({ request: { mapping: { mode: "custom", fields: [{ target: "name", value: "lead.firstName" }, { target: "name.first", value: "lead.firstName" }] } } }));
    expect(Object.keys(mapping)).toEqual(["request.mapping.fields.1.target"]);
    expect(Object.keys(await fieldsOf(await bad({ request: { format: "XML" } })))).toEqual(["request.template"]);
    expect(Object.keys(await fieldsOf(await bad({ retryPolicy: { kind: "exponential", baseSeconds: 10, maxAttempts: 3, maxDelaySeconds: 0 } })))).toEqual(["retryPolicy.maxDelaySeconds"]);
    expect((await bad({ unknownField: 1 })).status).toBe(422);
    expect((await call(createRoute, { raw: "{nope" })).status).toBe(400);
    expect(await prisma().webhookRule.count({ where: { title: "Bad" } })).toBe(0);

    process.env.ALLOW_INSECURE_URLS = "false";
    resetEnvCache();
    try {
      expect((await fieldsOf(await bad({ url: "http://93.184.215.14/hook" }))).url).toEqual([expect.stringMatching(/use https:\/\/.*ALLOW_INSECURE_URLS=true/)]);
    } finally {
      process.env.ALLOW_INSECURE_URLS = "true";
      resetEnvCache();
    }
  });

  it("another organization's key gets 404 for every route and changes nothing", async () => {
    const hook = await create({ url: `${rx.url}/private-to-a` });
    const leadId = await sendLead("tenant@example.test");
    const delivery = await prisma().delivery.findFirstOrThrow({ where: { ruleId: hook.id, leadId } });
    const asB = { key: keyB, id: hook.id };
    expect((await call(getRoute, asB)).status).toBe(404);
    expect((await call(patchRoute, { ...asB, method: "PATCH", body: { title: "Mallory" } })).status).toBe(404);
    expect((await call(deleteRoute, { ...asB, method: "DELETE", query: { force: "true" } })).status).toBe(404);
    expect((await call(logsRoute, asB)).status).toBe(404);
    expect((await call(rotateRoute, { ...asB, method: "POST" })).status).toBe(404);
    expect((await call(retryRoute, { key: keyB, method: "POST", id: delivery.id })).status).toBe(404);
    expect((await call(replayRoute, { key: keyB, body: { webhookId: hook.id, from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z" } })).status).toBe(404);
    const listB = await json<{ data: { id: string }[] }>(await call(listRoute, { key: keyB }));
    expect(listB.data).toEqual([]);
    const row = await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } });
    expect(row.title).toBe("CRM");
    expect(decryptSecret(row.signingSecretEncrypted!)).toBe(hook.secret);
  });

  it("401 without a key or with a revoked one", async () => {
    expect((await call(listRoute, { key: null })).status).toBe(401);
    expect((await call(eventTypesRoute, { key: null })).status).toBe(401);
    const temp = await createApiKey(prisma(), orgA.org.id, "temp");
    await revokeApiKey(prisma(), orgA.org.id, temp.record.id);
    const res = await call(createRoute, { key: temp.key, body: { title: "x", url: `${rx.url}/x`, events: ["lead.created"] } });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("unauthorized");
  });

  it("429 with Retry-After once a key exceeds its rate limit; other keys are unaffected", async () => {
    process.env.API_RATE_LIMIT = "3";
    resetApiRateLimiter();
    try {
      for (let i = 0; i < 3; i++) expect((await call(eventTypesRoute)).status).toBe(200);
      const limited = await call(eventTypesRoute);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await json(limited)).error.code).toBe("rate_limited");
      expect((await call(eventTypesRoute, { key: keyB })).status).toBe(200);
    } finally {
      delete process.env.API_RATE_LIMIT;
      resetApiRateLimiter();
    }
  });
});
