import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as replay } from "@/app/api/v1/deliveries/replay/route";
import { POST as retryDelivery } from "@/app/api/v1/deliveries/[id]/retry/route";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { GET as getLead, PATCH as patchLead } from "@/app/api/v1/leads/[id]/route";
import { POST as postNote } from "@/app/api/v1/leads/[id]/notes/route";
import { GET as listWebhooks, POST as createWebhook } from "@/app/api/v1/webhooks/route";
import { GET as getWebhook, PATCH as patchWebhook } from "@/app/api/v1/webhooks/[id]/route";
import { GET as webhookLogs } from "@/app/api/v1/webhooks/[id]/logs/route";
import { PATCH as patchOrganization } from "@/app/api/v1/organization/route";
import { encodeCursor } from "@/lib/api/pagination";
import { createApiKey } from "@/lib/api/keys";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// Input the API must refuse with a 4xx that names the field, instead of changing it silently or
// failing with a 500: numbers a double cannot hold, text the database cannot hold (NUL, lone
// surrogates), and dates outside the years both JavaScript and the database hold (0001–9999).

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;
let orgId: string;
let key: string;
let ruleId: string;
let leadId: string;

beforeAll(async () => {
  rx = await startReceiver(() => ({ status: 200, body: "{}" }));
  const { org } = await createWebhookOrg(prisma(), { name: "Limits Co" });
  orgId = org.id;
  key = (await createApiKey(prisma(), org.id, "limits")).key;
  ruleId = (await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "CRM", events: ["lead.created"], url: `${rx.url}/crm` } })).id;
  leadId = ((await (await call(postLead, { body: { email: "base@example.test" } })).json()) as { id: string }).id;
});
afterAll(async () => {
  await runDispatcher();
  await rx.close();
});

const call = routeCaller(() => key);
type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string[]> } };

async function refused(res: Response, status: number, field: string, message: RegExp) {
  const body = (await res.json()) as ErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(Object.keys(body.error.fields ?? {}), JSON.stringify(body)).toContain(field);
  expect(body.error.fields![field]!.join(" ")).toMatch(message);
}

describe("numbers a double cannot hold exactly", () => {
  const leadsBefore = () => prisma().lead.count({ where: { organizationId: orgId } });

  it.each([
    ["9007199254740993", "customFields.ext_id"],
    ["1152921506151679042", "customFields.ext_id"],
    ["0.1000000000000000055511151231257827", "customFields.ext_id"],
    ["1e400", "customFields.ext_id"],
    ["-0", "customFields.ext_id"],
  ])("POST /leads with %s is refused with 422 naming %s, and stores nothing", async (num, field) => {
    const before = await leadsBefore();
    const res = await call(postLead, { raw: `{"email":"x@example.com","customFields":{"ext_id":${num}}}` });
    await refused(res, 422, field, /as a string/);
    expect(await leadsBefore()).toBe(before);
  });

  it("the same id sent as a string is kept digit for digit, in the answer, the database and the delivery", async () => {
    const res = await call(postLead, { raw: '{"email":"s@example.com","customFields":{"ext_id":"9007199254740993","n":12.5}}' });
    expect(res.status).toBe(201);
    const lead = (await res.json()) as { id: string; customFields: Record<string, unknown> };
    expect(lead.customFields).toEqual({ ext_id: "9007199254740993", n: 12.5 });
    await runDispatcher();
    const sent = rx.received.find((r) => JSON.parse(r.body).data.lead.id === lead.id)!;
    expect(sent.body).toContain('"ext_id":"9007199254740993"');
  });

  it("every JSON body is checked: lead update, note, webhook create and update, replay, organization", async () => {
    await refused(await call(patchLead, { method: "PATCH", id: leadId, raw: '{"score":9007199254740993}' }), 422, "score", /as a string/);
    await refused(await call(patchLead, { method: "PATCH", id: leadId, raw: '{"customFields":{"big":[1, 2e308]}}' }), 422, "customFields.big.1", /as a string/);
    await refused(await call(postNote, { id: leadId, raw: '{"body":"hi","extra":123456789012345678}' }), 422, "extra", /as a string/);
    await refused(
      await call(createWebhook, { raw: `{"title":"T","url":"${rx.url}/x","events":["lead.created"],"timeoutSeconds":10.000000000000000001}` }),
      422, "timeoutSeconds", /as a string/,
    );
    await refused(await call(patchWebhook, { method: "PATCH", id: ruleId, raw: '{"retryPolicy":{"maxAttempts":1e999}}' }), 422, "retryPolicy.maxAttempts", /as a string/);
    await refused(await call(replay, { raw: '{"from":"2026-01-01T00:00:00Z","to":"2026-01-02T00:00:00Z","n":-0.0}' }), 422, "n", /as a string/);
    await refused(await call(patchOrganization, { method: "PATCH", raw: '{"webhooksEnabled":true,"x":99999999999999999999}' }), 422, "x", /as a string/);
    expect((await prisma().lead.findUniqueOrThrow({ where: { id: leadId } })).score).toBeNull();
  });
});

describe("text and dates the database cannot hold", () => {
  it("a NUL character in a text field is refused with 422 naming the field, and stores nothing", async () => {
    const before = await prisma().lead.count();
    await refused(await call(postLead, { body: { email: "nul@example.test", firstName: "Ja\u0000ne" } }), 422, "firstName", /NUL/);
    await refused(await call(postLead, { body: { email: "nul@example.test", customFields: { note: "a\u0000b" } } }), 422, "customFields.note", /NUL/);
    await refused(await call(postNote, { id: leadId, body: { body: "x\u0000" } }), 422, "body", /NUL/);
    await refused(await call(patchWebhook, { method: "PATCH", id: ruleId, body: { title: "\u0000" } }), 422, "title", /NUL/);
    expect(await prisma().lead.count()).toBe(before);
  });

  it("a lone surrogate is refused, in a JSON-stored field and in a plain text column (never stored as U+FFFD)", async () => {
    const before = await prisma().lead.count();
    await refused(await call(postLead, { raw: '{"email":"s@example.test","customFields":{"note":"\\ud800"}}' }), 422, "customFields.note", /surrogate/);
    await refused(await call(postLead, { raw: '{"email":"s@example.test","lastName":"x\\udc00y"}' }), 422, "lastName", /surrogate/);
    await refused(await call(postLead, { raw: '{"email":"s@example.test","customFields":{"\\ud83d":"key"}}' }), 422, "customFields.\ud83d", /surrogate/);
    await refused(await call(patchLead, { method: "PATCH", id: leadId, raw: '{"firstName":"\\ud800"}' }), 422, "firstName", /surrogate/);
    expect(await prisma().lead.count()).toBe(before);
    expect((await prisma().lead.findUniqueOrThrow({ where: { id: leadId } })).firstName).toBeNull();
    // A whole emoji (a surrogate pair) is fine.
    expect((await call(postLead, { raw: '{"email":"e@example.test","firstName":"\\ud83d\\ude00"}' })).status).toBe(201);
  });

  it("an id or a query parameter holding NUL answers 4xx naming it, never 500", async () => {
    const bad = async (res: Response, status: number, field: string) => {
      const body = (await res.json()) as ErrorBody;
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(body.error)).toContain(field);
    };
    await bad(await call(getLead, { id: "\u0000" }), 404, "id");
    await bad(await call(getLead, { id: "lead_\ud800" }), 404, "id");
    await bad(await call(patchLead, { method: "PATCH", id: "\u0000", body: { firstName: "x" } }), 404, "id");
    await bad(await call(postNote, { id: "\u0000", body: { body: "x" } }), 404, "id");
    await bad(await call(getWebhook, { id: "rule_\u0000" }), 404, "id");
    await bad(await call(retryDelivery, { method: "POST", id: "\u0000" }), 404, "id");
    await bad(await call(webhookLogs, { id: ruleId, query: { status: "5xx", cursor: "\u0000" } }), 400, "cursor");
    await bad(await call(listWebhooks, { query: { q: "\u0000" } }), 400, "q");
  });

  it.each([
    ["0000-01-01T00:00:00.000Z"],
    ["0001-01-01T00:30:00+01:00"],
    ["9999-12-31T23:30:00-01:00"],
  ])("a time outside 0001–9999 (%s) is refused in the logs' from/to, replay and a cursor", async (time) => {
    await refused(await call(webhookLogs, { id: ruleId, query: { from: time } }), 400, "from", /0001/);
    await refused(await call(webhookLogs, { id: ruleId, query: { to: time } }), 400, "to", /0001/);
    await refused(await call(replay, { body: { from: time, to: "2026-01-01T00:00:00Z" } }), 422, "from", /0001/);
    const cursor = Buffer.from(JSON.stringify([time, "dlv_x"])).toString("base64url");
    await refused(await call(webhookLogs, { id: ruleId, query: { cursor } }), 400, "cursor", /cursor/);
    await refused(await call(listWebhooks, { query: { cursor } }), 400, "cursor", /cursor/);
  });

  it("the ends of the range still work", async () => {
    expect((await call(webhookLogs, { id: ruleId, query: { from: "0001-01-01T00:00:00Z", to: "9999-12-31T23:59:59.999Z" } })).status).toBe(200);
    expect((await call(replay, { body: { from: "0001-01-01T00:00:00Z", to: "9999-12-31T23:59:59Z" } })).status).toBe(202);
    const cursor = encodeCursor({ createdAt: new Date("0001-01-01T00:00:00.000Z"), id: "rule_x" });
    expect((await call(listWebhooks, { query: { cursor } })).status).toBe(200);
  });
});

describe("a forged cursor", () => {
  it("whose id holds NUL is refused as a cursor this API did not return", async () => {
    const cursor = Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", "rule_\u0000"])).toString("base64url");
    await refused(await call(listWebhooks, { query: { cursor } }), 400, "cursor", /cursor/);
  });
});

describe("bytes that are not UTF-8", () => {
  it("a body or a query parameter holding an encoded lone surrogate (ED A0 80) is refused, not read as U+FFFD", async () => {
    const before = await prisma().lead.count();
    const bytes = Buffer.concat([Buffer.from('{"email":"u@example.test","firstName":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    const res = await postLead(
      new Request("http://localhost/api/v1/leads", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: bytes }),
      { params: Promise.resolve({}) },
    );
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.error.message).toMatch(/UTF-8/);
    expect(await prisma().lead.count()).toBe(before);

    const list = await listWebhooks(new Request("http://localhost/api/v1/webhooks?cursor=%ED%A0%80", { headers: { authorization: `Bearer ${key}` } }), { params: Promise.resolve({}) });
    const listBody = (await list.json()) as ErrorBody;
    expect(list.status, JSON.stringify(listBody)).toBe(400);
    expect(listBody.error.fields).toHaveProperty("cursor");
    // A bare "%" is not an encoding: it is read as typed, as before.
    const bare = await listWebhooks(new Request("http://localhost/api/v1/webhooks?limit=5&note=100%", { headers: { authorization: `Bearer ${key}` } }), { params: Promise.resolve({}) });
    expect(bare.status).toBe(200);
  });
});
