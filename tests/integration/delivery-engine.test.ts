import { sql } from "@/lib/db";
import { Webhook } from "standardwebhooks";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchBatch, dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { secretBytes } from "@/lib/signing/signature";
import { newId } from "@/lib/core/ids";
import { addNote, createLead, updateLead } from "@/lib/leads/mutations";
import { getSigningKeys, rotateSigningKey } from "@/lib/signing/organization-keys";
import { createTestOrg, createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

const prisma = useTestDatabase();
const client = useLoopbackClient();

async function rule(orgId: string, url: string, extra: Record<string, unknown> = {}) {
  return prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "R", events: ["lead.created"], url, ...extra } });
}

async function refId(orgId: string, kind: "LEAD_STATUS" | "OFFICE", name: string) {
  return (await prisma().referenceItem.findFirstOrThrow({ where: { organizationId: orgId, kind, name } })).id;
}

describe("lead events become signed deliveries", () => {
  it("reaches a matching rule signed (standardwebhooks verifies) and not a rule whose creation rules don't match", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, `${rx.url}/match`, { statusId: await refId(org.id, "LEAD_STATUS", "New"), officeId: await refId(org.id, "OFFICE", "Downtown") });
    await rule(org.id, `${rx.url}/other-office`, { officeId: await refId(org.id, "OFFICE", "North Branch") });
    const { lead, deliveryIds } = await createLead(await sql(), org.id, { email: "ada@example.test", status: "new", office: "downtown" });
    expect(lead.status).toBe("New"); // stored in the list's spelling
    expect(deliveryIds).toHaveLength(1);
    const summary = await dispatchBatch({ prisma: prisma(), client });
    expect(summary).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(rx.received.map((r) => r.path)).toEqual(["/match"]);
    const [req] = rx.received;
    const { current } = await getSigningKeys(prisma(), org.id);
    const payload = new Webhook(current.secret).verify(req!.body, req!.headers as Record<string, string>) as { type: string; data: { lead: { email: string } } };
    expect(payload.type).toBe("lead.created");
    expect(payload.data.lead.email).toBe("ada@example.test");
    expect(req!.headers["webhook-id"]).toBe(deliveryIds[0]);
    expect(req!.headers["user-agent"]).toMatch(/^Leadhooks\//);
    const d = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] }, include: { attempts: true } });
    expect(d).toMatchObject({ state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200 });
    expect(d.attempts[0]).toMatchObject({ number: 1, statusCode: 200, responseBody: "ok" });
    await rx.close();
  });

  it("signs with the HMAC hex scheme when the rule asks, with both keys during a rotation", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, rx.url, { signatureScheme: "HMAC_HEX" });
    const old = (await getSigningKeys(prisma(), org.id)).current.secret;
    await rotateSigningKey(prisma(), org.id);
    const fresh = (await getSigningKeys(prisma(), org.id)).current.secret;
    await createLead(await sql(), org.id, { phone: "+1 555 0100" });
    await dispatchBatch({ prisma: prisma(), client });
    const req = rx.received[0]!;
    const sigs = String(req.headers["x-leadhooks-signature"]).split(",");
    const hex = (s: string) => `sha256=${createHmac("sha256", secretBytes(s)).update(req.body).digest("hex")}`;
    expect(sigs).toEqual([hex(fresh), hex(old)]);
    expect(Date.parse(String(req.headers["x-leadhooks-timestamp"]))).toBeGreaterThan(Date.now() - 60_000);
    await rx.close();
  });

  it("fires lead.updated, lead.status_changed and lead.note_added with their changes and note", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, rx.url, { events: ["lead.updated", "lead.status_changed", "lead.note_added"] });
    const { lead, deliveryIds } = await createLead(await sql(), org.id, { email: "x@example.test", status: "New" });
    expect(deliveryIds).toEqual([]);
    const upd = await updateLead(prisma(), org.id, lead.id, { status: "Qualified" });
    expect(upd.eventIds).toHaveLength(2);
    await addNote(prisma(), org.id, lead.id, { body: "Called back" });
    await dispatchUntilIdle({ prisma: prisma(), client });
    const bodies = rx.received.map((r) => JSON.parse(r.body) as { type: string; data: { changes?: unknown; note?: { body: string } } });
    expect(bodies.map((b) => b.type).sort()).toEqual(["lead.note_added", "lead.status_changed", "lead.updated"]);
    expect(bodies.find((b) => b.type === "lead.status_changed")!.data.changes).toEqual({ status: { from: "New", to: "Qualified" } });
    expect(bodies.find((b) => b.type === "lead.note_added")!.data.note!.body).toBe("Called back");
    await rx.close();
  });

  it("records the event but no delivery when the organization's webhooks are off or the rule is disabled", async () => {
    const { org } = await createTestOrg(prisma());
    await rule(org.id, "https://example.com/hook");
    const off = await createLead(await sql(), org.id, { email: "a@x.test" });
    expect(off.deliveryIds).toEqual([]);
    expect(await prisma().event.count({ where: { organizationId: org.id } })).toBe(1);
    await prisma().organization.update({ where: { id: org.id }, data: { webhooksEnabled: true } });
    await prisma().webhookRule.updateMany({ where: { organizationId: org.id }, data: { enabled: false } });
    expect((await createLead(await sql(), org.id, { email: "b@x.test" })).deliveryIds).toEqual([]);
  });

  it("refuses a lead whose status is not in the organization's lists", async () => {
    const { org } = await createWebhookOrg(prisma());
    await expect(createLead(await sql(), org.id, { email: "a@x.test", status: "Nonexistent" })).rejects.toMatchObject({ fieldErrors: { status: [expect.stringMatching(/Unknown status/)] } });
    expect(await prisma().lead.count({ where: { organizationId: org.id } })).toBe(0);
  });
});

describe("retries, failures and leases", () => {
  it("a receiver that fails twice then succeeds ends SUCCEEDED after 3 attempts", async () => {
    const rx = await startReceiver((_r, n) => (n <= 2 ? { status: 503, body: "busy" } : { status: 200 }));
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, rx.url);
    const { deliveryIds } = await createLead(await sql(), org.id, { email: "r@x.test" });
    let clock = Date.now();
    const now = () => new Date(clock);
    await dispatchBatch({ prisma: prisma(), client, now });
    let d = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } });
    expect(d).toMatchObject({ state: "PENDING", attemptCount: 1, lastStatusCode: 503 });
    const wait = d.nextAttemptAt!.getTime() - clock;
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(36_000);
    expect((await dispatchBatch({ prisma: prisma(), client, now })).claimed).toBe(0); // not due yet
    clock += 40_000;
    await dispatchBatch({ prisma: prisma(), client, now });
    clock += 3 * 60_000;
    await dispatchBatch({ prisma: prisma(), client, now });
    d = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } });
    expect(d).toMatchObject({ state: "SUCCEEDED", attemptCount: 3, lastStatusCode: 200 });
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([deliveryIds[0]]));
    await rx.close();
  });

  it("records a refused connection as 999 and a 4xx as FAILED without retry; a 410 disables the rule", async () => {
    const rx = await startReceiver((r) => (r.path === "/gone" ? { status: 410 } : { status: 404 }));
    const { org } = await createWebhookOrg(prisma());
    const refused = await rule(org.id, "http://127.0.0.1:9/refused");
    await rule(org.id, `${rx.url}/missing`);
    const gone = await rule(org.id, `${rx.url}/gone`);
    await createLead(await sql(), org.id, { email: "f@x.test" });
    await dispatchBatch({ prisma: prisma(), client });
    const byRule = Object.fromEntries((await prisma().delivery.findMany({ where: { organizationId: org.id }, include: { attempts: true } })).map((d) => [d.ruleId, d]));
    expect(byRule[refused.id]).toMatchObject({ state: "PENDING", lastStatusCode: 999 });
    expect(byRule[refused.id]!.attempts[0]).toMatchObject({ statusCode: 999, errorClass: "connection_refused" });
    expect(Object.values(byRule).filter((d) => d.state === "FAILED")).toHaveLength(2);
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: gone.id } })).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });
    await rx.close();
  });

  it("stores a response whose body and headers contain NUL bytes (PostgreSQL text cannot) without losing the batch", async () => {
    const rx = await startReceiver((r) => (r.path === "/nul" ? { status: 200, body: "ok\u0000done", headers: { "x-odd": "a" } } : { status: 200, body: "fine" }));
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, `${rx.url}/nul`);
    await rule(org.id, `${rx.url}/fine`);
    await createLead(await sql(), org.id, { email: "nul@x.test" });
    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 2, succeeded: 2 });
    const attempts = await prisma().deliveryAttempt.findMany({ where: { delivery: { organizationId: org.id } } });
    expect(attempts.map((a) => a.responseBody).sort()).toEqual(["fine", "ok\uFFFDdone"]);
    expect(await prisma().delivery.count({ where: { organizationId: org.id, state: "SUCCEEDED", leaseOwner: null } })).toBe(2);
    await rx.close();
  });

  it("blocks a private address unless allowed", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, rx.url);
    await createLead(await sql(), org.id, { email: "p@x.test" });
    const strict = new GuardedHttpClient({ policy: { allowedNetworks: [], allowInsecure: true } });
    await dispatchBatch({ prisma: prisma(), client: strict });
    await strict.destroy();
    const [d] = await prisma().delivery.findMany({ where: { organizationId: org.id }, include: { attempts: true } });
    expect(d!.attempts[0]).toMatchObject({ statusCode: 999, errorClass: "blocked" });
    expect(rx.received).toHaveLength(0);
    await rx.close();
  });

  it("a lease held by a dispatcher that died expires and the delivery is sent, not before", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    await rule(org.id, rx.url);
    const { deliveryIds } = await createLead(await sql(), org.id, { email: "l@x.test" });
    // A dispatcher claims it under a short lease and dies with the request open: its clock stands
    // still, so its lease extensions leave the lease where the claim put it, and it records nothing.
    const leaseMs = 5_000;
    const claimedAt = Date.now();
    let sending!: () => void;
    const sent = new Promise<void>((resolve) => (sending = resolve));
    let comeBack!: () => void;
    const frozen = {
      send: () => {
        sending();
        return new Promise((_resolve, reject) => (comeBack = () => reject(new Error("connection reset"))));
      },
    } as unknown as GuardedHttpClient;
    const dead = dispatchBatch({ prisma: prisma(), client: frozen, owner: "dead", leaseMs, now: () => new Date(claimedAt) });
    await sent;
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } })).toMatchObject({ state: "PENDING", leaseOwner: "dead", leaseExpiresAt: new Date(claimedAt + leaseMs) });

    // Another dispatcher finds nothing to claim while the lease holds, up to its last millisecond...
    const at = (ms: number) => () => new Date(claimedAt + ms);
    expect((await dispatchBatch({ prisma: prisma(), client, now: at(leaseMs - 1) })).claimed).toBe(0);
    expect(rx.received).toHaveLength(0);
    // ...and claims and sends it once the lease has run out.
    expect(await dispatchBatch({ prisma: prisma(), client, now: at(leaseMs + 1) })).toMatchObject({ claimed: 1, succeeded: 1 });
    expect(rx.received.map((r) => r.headers["webhook-id"])).toEqual([deliveryIds[0]]);

    // Should the dead dispatcher's request end after all, what it tries to record does not replace
    // the outcome recorded by the dispatcher that took the delivery over.
    comeBack();
    await expect(dead).resolves.toMatchObject({ claimed: 1 }); // its group is recorded without error (its attempt 1 was already stored)
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } })).toMatchObject({ state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200, leaseOwner: null });
    expect(rx.received).toHaveLength(1);
    await rx.close();
  });
});

// On PostgreSQL this is the real multi-dispatcher case (SKIP LOCKED); PGlite serializes the same
// concurrent dispatchers and must give the same answer.
describe(`several dispatchers on one database (${TEST_DATABASE})`, () => {
  let rx: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    rx = await startReceiver(() => ({ status: 200, delayMs: 5 }));
  });
  afterAll(() => rx.close());

  it("never send a delivery twice", async () => {
    const { org } = await createWebhookOrg(prisma());
    for (let i = 0; i < 5; i++) await rule(org.id, `${rx.url}/r${i}`);
    for (let i = 0; i < 40; i++) await createLead(await sql(), org.id, { email: `m${i}@x.test` });
    const runs = await Promise.all([1, 2, 3, 4].map((n) => dispatchUntilIdle({ prisma: prisma(), client, owner: `d${n}`, batchSize: 25 })));
    expect(runs.reduce((s, r) => s + r.succeeded, 0)).toBe(200);
    const ids = rx.received.map((r) => String(r.headers["webhook-id"]));
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    if (TEST_DATABASE === "postgres") expect(runs.filter((r) => r.claimed > 0).length).toBeGreaterThan(1); // the work really was shared
  });
});
