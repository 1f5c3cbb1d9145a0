import { beforeAll, describe, expect, it } from "vitest";
import { evaluateResponse } from "@/lib/delivery/policy/response";
import { deliveryResponseValues, getDelivery } from "@/lib/delivery/log/queries";
import { NotFoundError } from "@/lib/core/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/core/ids";
import { storedResponseRulesSchema } from "@/lib/domain/rule/response";
import { createTestOrg, useTestDatabase } from "../helpers/db";

// What the Response tab leaves on a delivery (the parser's values, each attempt's parsed error,
// whether the body was cut, a skip's reason) as the delivery page and the lead page read it back,
// scoped to the organization. Rows are written directly, as the dispatcher stores them.

const prisma = useTestDatabase();

type Org = Awaited<ReturnType<typeof createTestOrg>>;
let a: Org;
let b: Org;

async function insertDelivery(organizationId: string, data: Partial<Prisma.DeliveryUncheckedCreateInput> = {}) {
  const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId, title: "CRM Sync", events: ["lead.created"], url: "https://hooks.example.com/x" } });
  const lead = await prisma().lead.create({ data: { id: newId("lead"), organizationId, email: `lead-${Math.random()}@example.test` } });
  const event = await prisma().event.create({ data: { id: newId("evt"), organizationId, leadId: lead.id, type: "lead.created", payload: {} } });
  const delivery = await prisma().delivery.create({
    data: { id: newId("dlv"), organizationId, ruleId: rule.id, eventId: event.id, leadId: lead.id, url: rule.url, method: "POST", requestHeaders: {}, requestBody: "{}", ...data },
  });
  return delivery.id;
}

async function insertAttempt(deliveryId: string, number: number, data: Partial<Prisma.DeliveryAttemptUncheckedCreateInput>) {
  await prisma().deliveryAttempt.create({
    data: { id: newId("att"), deliveryId, number, startedAt: new Date(Date.UTC(2026, 0, 1, 12, number)), durationMs: 40, requestUrl: "https://hooks.example.com/x", requestMethod: "POST", requestHeaders: {}, statusCode: 200, ...data },
  });
}

// The rule a receiver might have: its lead id back on success, its error on failure.
const rules = storedResponseRulesSchema.parse({
  bodyCondition: { enabled: true, kind: "json", path: "status", equals: "ok" },
  parsers: [{ name: "lead_id", kind: "json", path: "lead.id" }],
  errorParser: { kind: "json", code: "error.code", message: "error.message", field: "error.field" },
});
const rejected = evaluateResponse(rules, { status: 200, headers: {}, body: JSON.stringify({ status: "error", error: { code: "DUP", message: "Duplicate lead", field: "email" } }) });
const accepted = evaluateResponse(rules, { status: 200, headers: {}, body: JSON.stringify({ status: "ok", lead: { id: 123 } }) });

let succeeded: string;
let skipped: string;
let plain: string;
let garbled: string;

beforeAll(async () => {
  a = await createTestOrg(prisma());
  b = await createTestOrg(prisma());
  succeeded = await insertDelivery(a.org.id, { state: "SUCCEEDED", attemptCount: 2, lastStatusCode: 200, responseValues: accepted.values ?? undefined });
  await insertAttempt(succeeded, 1, { statusCode: 200, responseBody: "{}", parsedError: rejected.error ?? undefined, bodyTruncated: true });
  await insertAttempt(succeeded, 2, { statusCode: 200, responseBody: '{"status":"ok"}' });
  skipped = await insertDelivery(a.org.id, { state: "SKIPPED", lastError: "Condition not met: state equals CA" });
  plain = await insertDelivery(a.org.id, { state: "FAILED", attemptCount: 1, lastStatusCode: 500 });
  await insertAttempt(plain, 1, { statusCode: 500 });
  // Values nothing in the engine writes: read back as absent, not shown raw.
  garbled = await insertDelivery(a.org.id, { state: "FAILED", attemptCount: 1, responseValues: { lead_id: 5 } });
  await insertAttempt(garbled, 1, { statusCode: 422, parsedError: "E1" });
});

describe("getDelivery", () => {
  it("returns the response parser's values and each attempt's parsed error, truncation and outcome", async () => {
    const d = await getDelivery(prisma(), a.org.id, succeeded);
    expect(d.responseValues).toEqual({ lead_id: "123" });
    expect(d.attempts.map((x) => ({ number: x.number, parsedError: x.parsedError, bodyTruncated: x.bodyTruncated, succeeded: x.succeeded }))).toEqual([
      { number: 1, parsedError: { code: "DUP", message: "Duplicate lead", field: "email" }, bodyTruncated: true, succeeded: false },
      { number: 2, parsedError: null, bodyTruncated: false, succeeded: true },
    ]);
  });

  it("returns a skipped delivery's reason, and null values where none were stored", async () => {
    const s = await getDelivery(prisma(), a.org.id, skipped);
    expect(s).toMatchObject({ state: "SKIPPED", lastError: "Condition not met: state equals CA", responseValues: null, attempts: [] });
    const p = await getDelivery(prisma(), a.org.id, plain);
    expect(p.responseValues).toBeNull();
    expect(p.attempts[0]).toMatchObject({ parsedError: null, bodyTruncated: false, succeeded: false });
  });

  it("drops stored values of the wrong shape", async () => {
    const g = await getDelivery(prisma(), a.org.id, garbled);
    expect(g.responseValues).toBeNull();
    expect(g.attempts[0]?.parsedError).toBeNull();
  });

  it("does not show another organization's delivery", async () => {
    await expect(getDelivery(prisma(), b.org.id, succeeded)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getDelivery(prisma(), b.org.id, skipped)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("deliveryResponseValues (the lead page's per-rule values)", () => {
  it("maps the organization's deliveries that have values, and leaves out the rest", async () => {
    const values = await deliveryResponseValues(prisma(), a.org.id, [succeeded, skipped, plain, garbled, "dlv_missing"]);
    expect([...values.entries()]).toEqual([[succeeded, { lead_id: "123" }]]);
    expect((await deliveryResponseValues(prisma(), a.org.id, [])).size).toBe(0);
  });

  it("never reads another organization's deliveries", async () => {
    expect((await deliveryResponseValues(prisma(), b.org.id, [succeeded])).size).toBe(0);
  });
});
