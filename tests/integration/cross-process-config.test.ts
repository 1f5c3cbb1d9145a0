import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { PATCH as patchOrganization } from "@/app/api/v1/organization/route";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { POST as rotateRoute } from "@/app/api/v1/webhooks/[id]/rotate-secret/route";
import { createApiKey, revokeApiKey } from "@/lib/api/keys";
import { resetApiRateLimiter } from "@/lib/api/rate-limit";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { openDatabase, setDatabase, type Database } from "@/lib/db";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { getSigningKeys, rotateSigningKey } from "@/lib/signing/organization-keys";
import { routeCaller } from "../helpers/api";
import { createScratchDatabase, startPostgres } from "@/scripts/pg-cluster.mjs";
import { createWebhookOrg, TEST_DATABASE } from "../helpers/db";
import { signatureCount, startTimedReceiver, startTokenServer, stopWorker, verifiesHex, verifiesStandard, type TimedRequest } from "../helpers/cross-process";
import { until } from "../helpers/until";
import { startWorker, type WorkerProcess } from "../helpers/worker";

// Configuration changes made in one process (this one, acting as a web process with
// DELIVERY_WORKERS=external: it accepts leads and changes rules through the REST API's route
// handlers and the admin's server code, and never delivers) must be honoured by the next delivery
// of another process (a real `npm run worker` on the same PostgreSQL database) that has already
// delivered, and so cached, the organization's configuration. Every wait is on a condition, with a
// limit for a hang; nothing here sends anything itself.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const cleanups: (() => void)[] = [];
const closers: (() => Promise<unknown>)[] = [];
let db: Database & { url: string };
let worker: WorkerProcess;
const prisma = (): PrismaClient => db.prisma;

const WAIT = 60_000; // a limit for a hang: deliveries normally take milliseconds

// Web processes and workers share PostgreSQL: on the test cluster (TEST_DATABASE=postgres), or on a
// cluster of this file's own when the suite runs on PGlite.
let stopCluster = () => {};

beforeAll(async () => {
  resetApiRateLimiter();
  let serverUrl = process.env.TEST_POSTGRES_URL!;
  if (TEST_DATABASE !== "postgres") {
    const cluster = await startPostgres({ maxConnections: 40 });
    stopCluster = cluster.stop;
    serverUrl = cluster.url;
  }
  const { url } = await createScratchDatabase(serverUrl, "xproc");
  db = { ...(await openDatabase(url, "test")), url };
  setDatabase(db);
  // The worker ticks every second (DELIVERY_FALLBACK_TICK_SECONDS=1), so retries a few seconds
  // apart are sent when due; new deliveries wake it at once through LISTEN/NOTIFY.
  worker = startWorker(db.url, (kill) => cleanups.push(kill), { DELIVERY_FALLBACK_TICK_SECONDS: "1" });
  await until(() => /Delivery worker \d+ started/.test(worker.output()), 120_000).catch((err: Error) => {
    throw new Error(`${err.message}\nworker output:\n${worker.output()}`);
  });
});

afterAll(async () => {
  if (worker) await stopWorker(worker);
  // WORKER_LOG=<file>: keep what the worker printed, to read after the run.
  if (worker && process.env.WORKER_LOG) writeFileSync(process.env.WORKER_LOG, worker.output());
  for (const close of closers) await close().catch(() => {});
  cleanups.forEach((c) => c());
  setDatabase(undefined);
  await db?.close();
  stopCluster();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
type Call = ReturnType<typeof routeCaller>;

let counter = 0;
const email = (what: string) => `${what}-${++counter}-${randomBytes(3).toString("hex")}@example.test`;

async function newOrg(options: { autoDisableThreshold?: number } = {}) {
  const { org } = await createWebhookOrg(prisma(), options);
  const { key, record } = await createApiKey(prisma(), org.id, "cross-process");
  return { org, key, keyId: record.id, call: routeCaller(() => key) };
}

async function receiver(respond?: Parameters<typeof startTimedReceiver>[0]) {
  const rx = await startTimedReceiver(respond);
  closers.push(rx.close);
  return rx;
}

async function createHook(call: Call, body: Json): Promise<Json & { id: string; secret: string }> {
  const res = await call(createRoute, { body: { title: "CRM hook", events: ["lead.created"], ...body } });
  const out = (await res.json()) as Json;
  if (res.status !== 201) throw new Error(`create failed ${res.status}: ${JSON.stringify(out)}`);
  return out as Json & { id: string; secret: string };
}

async function patchHook(call: Call, id: string, body: Json): Promise<Json> {
  const res = await call(patchRoute, { method: "PATCH", id, body });
  const out = (await res.json()) as Json;
  if (res.status !== 200) throw new Error(`patch failed ${res.status}: ${JSON.stringify(out)}`);
  return out;
}

async function sendLead(call: Call, address: string): Promise<string> {
  const res = await call(postLead, { body: { email: address, firstName: "Jane" } });
  const out = (await res.json()) as Json;
  if (res.status !== 201) throw new Error(`lead failed ${res.status}: ${JSON.stringify(out)}`);
  return out.id as string;
}

const about = (list: TimedRequest[], address: string) => list.filter((r) => r.body.includes(address));

async function waitFor<T>(what: string, get: () => T | undefined | null | Promise<T | undefined | null>, ms = WAIT): Promise<T> {
  let value: T | undefined | null;
  try {
    await until(async () => (value = await get()) !== undefined && value !== null, ms);
  } catch (err) {
    throw new Error(`${what}: ${(err as Error).message}\nworker output (tail):\n${worker.output().slice(-3000)}`);
  }
  return value as T;
}

async function deliveryOf(leadId: string, ruleId: string) {
  return prisma().delivery.findFirst({ where: { leadId, ruleId, isTest: false } });
}

async function finalDelivery(leadId: string, ruleId: string, ms = WAIT) {
  return waitFor(`delivery of ${leadId} to ${ruleId} final`, async () => {
    const d = await deliveryOf(leadId, ruleId);
    return d && d.state !== "PENDING" ? d : null;
  }, ms);
}

const workerAlive = () => expect(worker.child.exitCode, worker.output().slice(-3000)).toBeNull();

describe("configuration changes reach another process's deliveries (web process + npm run worker)", () => {
  // ---------------------------------------------------------------------------------------------
  // 1. Signing secrets
  // ---------------------------------------------------------------------------------------------
  it("organization key rotated in this process, also while a delivery is retrying: the worker's next attempts verify with the new key, and with the old one during the grace period", async () => {
    const { org, call } = await newOrg();
    let failing = false;
    const rx = await receiver(() => (failing ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
    // A rule made in the admin (not through the API) signs with the organization's key.
    const ruleId = newId("rule");
    await prisma().webhookRule.create({
      data: { id: ruleId, organizationId: org.id, title: "Org-key rule", events: ["lead.created"], url: `${rx.url}/org-key`, retryPolicy: { kind: "schedule", delaysSeconds: [0, 2, 2, 2, 2, 2, 2, 2] } },
    });
    const k1 = (await getSigningKeys(prisma(), org.id)).current.secret;

    const a = email("orgkey-a");
    await sendLead(call, a);
    const first = await waitFor("first delivery", () => about(rx.received, a)[0]);
    expect(verifiesStandard(first, k1)).toBe(true);
    expect(signatureCount(first)).toBe(1);

    failing = true;
    const queued = email("orgkey-queued");
    const queuedLead = await sendLead(call, queued);
    const failed = await waitFor("first (failing) attempt", () => about(rx.received, queued)[0]);
    expect(verifiesStandard(failed, k1)).toBe(true);

    const k2 = await rotateSigningKey(prisma(), org.id); // what Settings → Rotate runs
    const rotatedAt = Date.now();
    expect(k2).not.toBe(k1);
    failing = false;
    expect((await finalDelivery(queuedLead, ruleId)).state).toBe("SUCCEEDED");
    const retried = about(rx.received, queued).filter((r) => r.at > rotatedAt + 200);
    expect(retried.length).toBeGreaterThan(0);
    for (const r of retried) {
      expect(verifiesStandard(r, k2), `retry not signed with the new key: ${String(r.headers["webhook-signature"])}`).toBe(true);
      expect(verifiesStandard(r, k1)).toBe(true);
    }

    const b = email("orgkey-b");
    await sendLead(call, b);
    const second = await waitFor("delivery after rotation", () => about(rx.received, b)[0]);
    expect(verifiesStandard(second, k2), `signed: ${String(second.headers["webhook-signature"])}`).toBe(true);
    expect(verifiesStandard(second, k1)).toBe(true); // the previous key keeps signing for 24 h
    expect(signatureCount(second)).toBe(2);
    workerAlive();
  });

  it("webhook secret rotated through the API while a delivery is retrying: every attempt after the rotation, and the next lead, verify with the new secret (and the old during the grace)", async () => {
    const { call } = await newOrg();
    let failing = false;
    const rx = await receiver(() => (failing ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
    const hook = await createHook(call, { url: `${rx.url}/own`, retryPolicy: { kind: "schedule", delaysSeconds: [0, 2, 2, 2, 2, 2, 2, 2] } });
    const s1 = hook.secret;

    const warm = email("own-warm");
    await sendLead(call, warm);
    const w = await waitFor("warm-up delivery", () => about(rx.received, warm)[0]);
    expect(verifiesStandard(w, s1)).toBe(true);

    failing = true;
    const retried = email("own-retry");
    const retriedLead = await sendLead(call, retried);
    const firstAttempt = await waitFor("first (failing) attempt", () => about(rx.received, retried)[0]);
    expect(verifiesStandard(firstAttempt, s1)).toBe(true);

    const rotated = await call(rotateRoute, { method: "POST", id: hook.id });
    expect(rotated.status).toBe(200);
    const rotatedAt = Date.now();
    const s2 = ((await rotated.json()) as { secret: string }).secret;
    failing = false;

    const done = await finalDelivery(retriedLead, hook.id);
    expect(done.state).toBe("SUCCEEDED");
    const after = about(rx.received, retried).filter((r) => r.at > rotatedAt + 200);
    expect(after.length).toBeGreaterThan(0);
    for (const r of after) {
      expect(verifiesStandard(r, s2), `attempt at ${new Date(r.at).toISOString()} not signed with the new secret: ${String(r.headers["webhook-signature"])}`).toBe(true);
      expect(verifiesStandard(r, s1)).toBe(true); // grace
    }

    const next = email("own-next");
    await sendLead(call, next);
    const n = await waitFor("next lead's delivery", () => about(rx.received, next)[0]);
    expect(verifiesStandard(n, s2)).toBe(true);
    expect(verifiesStandard(n, s1)).toBe(true);
    expect(signatureCount(n)).toBe(2);
    workerAlive();
  });

  // ---------------------------------------------------------------------------------------------
  // 2. Request (frozen at event time) and authentication (resolved at send time)
  // ---------------------------------------------------------------------------------------------
  it("URL, method, headers and field mapping changed: the next lead uses the new values; a delivery already retrying keeps its frozen request", async () => {
    const { call } = await newOrg();
    let v1Failing = false;
    const rx = await receiver((r) => (r.path === "/v1" && v1Failing ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
    const hook = await createHook(call, {
      url: `${rx.url}/v1`,
      retryPolicy: { kind: "schedule", delaysSeconds: [0, 2, 2, 2, 2, 2, 2, 2] },
      request: { method: "POST", headers: [{ name: "X-Version", value: "one" }], mapping: { mode: "custom", fields: [{ target: "contact.email", value: "lead.email" }] } },
    });

    const warm = email("req-warm");
    await sendLead(call, warm);
    await waitFor("warm-up delivery", () => about(rx.received, warm)[0]);

    v1Failing = true;
    const queued = email("req-queued");
    const queuedLead = await sendLead(call, queued);
    await waitFor("queued delivery's first attempt", () => about(rx.received, queued)[0]);

    await patchHook(call, hook.id, {
      url: `${rx.url}/v2`,
      request: { method: "PUT", headers: [{ name: "X-Version", value: "two" }], mapping: { mode: "custom", fields: [{ target: "person.mail", value: "lead.email" }] } },
    });

    const next = email("req-next");
    await sendLead(call, next);
    const n = await waitFor("next lead's delivery", () => about(rx.received, next)[0]);
    expect({ path: n.path, method: n.method, version: n.headers["x-version"] }).toEqual({ path: "/v2", method: "PUT", version: "two" });
    const nBody = JSON.parse(n.body) as Json;
    expect(nBody.data.lead).toEqual({ person: { mail: next } });

    v1Failing = false;
    const done = await finalDelivery(queuedLead, hook.id);
    expect(done.state).toBe("SUCCEEDED");
    // README: the request is rendered when the event is recorded and frozen, so retries send the same bytes.
    const attempts = about(rx.received, queued);
    expect(attempts.length).toBeGreaterThan(1);
    const firstBody = attempts[0]!.body;
    for (const r of attempts) {
      expect({ path: r.path, method: r.method, version: r.headers["x-version"] }).toEqual({ path: "/v1", method: "POST", version: "one" });
      expect(r.body).toBe(firstBody);
    }
    expect((JSON.parse(firstBody) as Json).data.lead).toEqual({ contact: { email: queued } });
    workerAlive();
  });

  it("Bearer token changed while a delivery is retrying: its next attempt and the next lead send the new token", async () => {
    const { call } = await newOrg();
    let failing = false;
    const rx = await receiver(() => (failing ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
    const hook = await createHook(call, {
      url: `${rx.url}/bearer`,
      retryPolicy: { kind: "schedule", delaysSeconds: [0, 2, 2, 2, 2, 2, 2, 2] },
      authentication: { type: "BEARER", token: "token-one-111111" },
    });

    const warm = email("bearer-warm");
    await sendLead(call, warm);
    const w = await waitFor("warm-up delivery", () => about(rx.received, warm)[0]);
    expect(w.headers.authorization).toBe("Bearer token-one-111111");

    failing = true;
    const queued = email("bearer-queued");
    const queuedLead = await sendLead(call, queued);
    const firstAttempt = await waitFor("first (failing) attempt", () => about(rx.received, queued)[0]);
    expect(firstAttempt.headers.authorization).toBe("Bearer token-one-111111");

    await patchHook(call, hook.id, { authentication: { type: "BEARER", token: "token-two-222222" } });
    const changedAt = Date.now();
    failing = false;

    const done = await finalDelivery(queuedLead, hook.id);
    expect(done.state).toBe("SUCCEEDED");
    const later = about(rx.received, queued).filter((r) => r.at > changedAt + 200);
    expect(later.length).toBeGreaterThan(0);
    for (const r of later) expect(r.headers.authorization).toBe("Bearer token-two-222222");

    const next = email("bearer-next");
    await sendLead(call, next);
    const n = await waitFor("next lead's delivery", () => about(rx.received, next)[0]);
    expect(n.headers.authorization).toBe("Bearer token-two-222222");
    workerAlive();
  });

  it("Basic password, then API key value, changed: the worker's next delivery sends the new credentials", async () => {
    const { call } = await newOrg();
    const rx = await receiver();
    const hook = await createHook(call, { url: `${rx.url}/creds`, authentication: { type: "BASIC", username: "crm-user", password: "pass-one" } });
    const basic = (p: string) => `Basic ${Buffer.from(`crm-user:${p}`).toString("base64")}`;

    const a = email("basic-a");
    await sendLead(call, a);
    expect((await waitFor("basic #1", () => about(rx.received, a)[0])).headers.authorization).toBe(basic("pass-one"));

    await patchHook(call, hook.id, { authentication: { password: "pass-two" } });
    const b = email("basic-b");
    await sendLead(call, b);
    expect((await waitFor("basic #2", () => about(rx.received, b)[0])).headers.authorization).toBe(basic("pass-two"));

    await patchHook(call, hook.id, { authentication: { type: "API_KEY", keyName: "X-Api-Key", keyValue: "key-value-one", keyIn: "header" } });
    const c = email("apikey-c");
    await sendLead(call, c);
    const rc = await waitFor("api key #1", () => about(rx.received, c)[0]);
    expect(rc.headers["x-api-key"]).toBe("key-value-one");
    expect(rc.headers.authorization).toBeUndefined();

    await patchHook(call, hook.id, { authentication: { keyValue: "key-value-two" } });
    const d = email("apikey-d");
    await sendLead(call, d);
    expect((await waitFor("api key #2", () => about(rx.received, d)[0])).headers["x-api-key"]).toBe("key-value-two");
    workerAlive();
  });

  it("timeout and signature scheme changed: the worker's next delivery waits as long as the new timeout and is signed with HMAC hex", async () => {
    const { call } = await newOrg();
    const rx = await receiver(() => ({ status: 200, body: "ok", delayMs: 2_500 }));
    const hook = await createHook(call, { url: `${rx.url}/slow`, timeoutMs: 1_000, retryPolicy: { kind: "schedule", delaysSeconds: [0] } });
    const a = email("timeout-a");
    const leadA = await sendLead(call, a);
    const da = await finalDelivery(leadA, hook.id);
    expect({ state: da.state, status: da.lastStatusCode }).toEqual({ state: "FAILED", status: 999 });

    await patchHook(call, hook.id, { timeoutMs: 10_000, signatureScheme: "HMAC_HEX" });
    const b = email("timeout-b");
    const leadB = await sendLead(call, b);
    expect((await finalDelivery(leadB, hook.id)).state).toBe("SUCCEEDED");
    const rb = about(rx.received, b)[0]!;
    expect(rb.headers["webhook-signature"]).toBeUndefined();
    expect(verifiesHex(rb, hook.secret)).toBe(true);
    workerAlive();
  });

  it("fallback rule changed, then disabled: the lead the worker passes on follows the fallback's current settings", async () => {
    const { call } = await newOrg();
    const rx = await receiver((r) => (r.path === "/primary" ? { status: 400, body: "no" } : { status: 200, body: "ok" }));
    const fallback = await createHook(call, { title: "Fallback", url: `${rx.url}/fb-1`, events: ["lead.updated"] });
    const primary = await createHook(call, { title: "Primary", url: `${rx.url}/primary`, retryPolicy: { kind: "schedule", delaysSeconds: [0] }, fallbackRuleId: fallback.id });

    const a = email("fallback-a");
    const leadA = await sendLead(call, a);
    expect((await finalDelivery(leadA, primary.id)).state).toBe("FAILED");
    await waitFor("fallback delivery (worker renders it)", () => about(rx.received, a).find((r) => r.path === "/fb-1"));

    await patchHook(call, fallback.id, { url: `${rx.url}/fb-2`, request: { mapping: { mode: "custom", fields: [{ target: "mail", value: "lead.email" }] } } });
    const b = email("fallback-b");
    const leadB = await sendLead(call, b);
    expect((await finalDelivery(leadB, primary.id)).state).toBe("FAILED");
    const rb = await waitFor("fallback after change", () => about(rx.received, b).find((r) => r.path !== "/primary"));
    expect(rb.path).toBe("/fb-2");
    expect((JSON.parse(rb.body) as Json).data.lead).toEqual({ mail: b });

    await patchHook(call, fallback.id, { enabled: false });
    const c = email("fallback-c");
    const leadC = await sendLead(call, c);
    expect((await finalDelivery(leadC, primary.id)).state).toBe("FAILED");
    // The outcome and any chained delivery are written in one statement: none now exists.
    expect(await deliveryOf(leadC, fallback.id)).toBeNull();
    expect(about(rx.received, c).map((r) => r.path)).toEqual(["/primary"]);
    workerAlive();
  });

  // ---------------------------------------------------------------------------------------------
  // 3. Disable, delete, pause while deliveries are queued
  // ---------------------------------------------------------------------------------------------
  it("rule disabled while its delivery is retrying: the worker sends nothing more for it (SKIPPED) and keeps delivering other rules", async () => {
    const { call } = await newOrg();
    const rx = await receiver((r) => (r.path === "/down" ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
    const down = await createHook(call, { url: `${rx.url}/down`, retryPolicy: { kind: "schedule", delaysSeconds: [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] } });
    const up = await createHook(call, { url: `${rx.url}/up` });

    const a = email("disable-a");
    const leadA = await sendLead(call, a);
    await waitFor("two attempts to the failing rule", () => (about(rx.received, a).filter((r) => r.path === "/down").length >= 2 ? true : null));

    await patchHook(call, down.id, { enabled: false });
    const disabledAt = Date.now();
    const d = await finalDelivery(leadA, down.id);
    expect(d.state).toBe("SKIPPED");
    expect(d.lastError).toMatch(/disabled/i);

    const b = email("disable-b");
    const leadB = await sendLead(call, b);
    await waitFor("other rule still delivered", () => about(rx.received, b).find((r) => r.path === "/up"));
    expect((await finalDelivery(leadB, up.id)).state).toBe("SUCCEEDED");
    expect(await deliveryOf(leadB, down.id)).toBeNull(); // a disabled rule gets no new delivery
    // At most the one request that may have been in flight as the rule was disabled.
    expect(rx.received.filter((r) => r.path === "/down" && r.at > disabledAt + 500)).toEqual([]);
    workerAlive();
  });

  it("rule deleted (force) while its request is in flight and its delivery retrying: nothing more is sent for it, the worker does not crash, and other rules' outcomes are still recorded", async () => {
    const { call } = await newOrg();
    // The doomed rule's receiver holds its answer 1.5 s, so the delete lands while the request is
    // in flight; the other rule's answer to the next lead is held until the same moment, so both
    // outcomes reach the worker's recorder together.
    let doomedAnswerAt = 0;
    const rx = await receiver((r) => {
      if (r.path === "/doomed") {
        doomedAnswerAt = r.at + 1_500;
        return { status: 500, body: "down", delayMs: 1_500 };
      }
      return { status: 200, body: "ok", delayMs: r.path === "/other-held" ? Math.max(0, doomedAnswerAt - Date.now()) : 0 };
    });
    const doomed = await createHook(call, { url: `${rx.url}/doomed`, retryPolicy: { kind: "schedule", delaysSeconds: [0, 1, 1, 1, 1, 1, 1, 1] } });
    const other = await createHook(call, { url: `${rx.url}/other-held` });

    const a = email("delete-a");
    const leadA = await sendLead(call, a);
    const inFlight = await waitFor("request in flight", () => about(rx.received, a).find((r) => r.path === "/doomed"));
    const del = await call(deleteRoute, { method: "DELETE", id: doomed.id, query: { force: "true" } });
    expect(del.status).toBe(204);
    const deletedAt = Date.now();
    expect(inFlight.answeredAt).toBeUndefined(); // still in flight when the rule went
    expect(await deliveryOf(leadA, doomed.id)).toBeNull(); // deleted with its rule

    const b = email("delete-b");
    const leadB = await sendLead(call, b);
    await waitFor("deleted rule's request answered", () => inFlight.answeredAt);
    // Recorded, not left to a lease expiry (60 s): the in-flight outcome of the deleted delivery
    // must not fail the recording of others.
    expect((await finalDelivery(leadA, other.id, 30_000)).state).toBe("SUCCEEDED");
    expect((await finalDelivery(leadB, other.id, 30_000)).state).toBe("SUCCEEDED");
    const c = email("delete-c");
    const leadC = await sendLead(call, c);
    expect((await finalDelivery(leadC, other.id, 30_000)).state).toBe("SUCCEEDED");
    expect(about(rx.received, b)).toHaveLength(1);
    expect(about(rx.received, c)).toHaveLength(1);
    expect(rx.received.filter((r) => r.path === "/doomed" && r.at > deletedAt + 200)).toEqual([]);
    expect(await prisma().delivery.count({ where: { ruleId: doomed.id } })).toBe(0);
    workerAlive();
  });

  it("rule paused by the worker's circuit breaker, then re-enabled through the API (README: re-enabling a rule ends its pause): the next lead is sent without waiting out the pause", async () => {
    const { call } = await newOrg();
    let failing = true;
    const rx = await receiver(() => (failing ? { status: 503, body: "down" } : { status: 200, body: "ok" }));
    const hook = await createHook(call, { url: `${rx.url}/breaker`, retryPolicy: { kind: "schedule", delaysSeconds: [0] } });

    // Five 5xx answers in a row pause the rule for 30 s (written to the rule's row).
    for (let i = 0; i < 5; i++) await sendLead(call, email(`breaker-${i}`));
    const paused = await waitFor("pause written", async () => {
      const r = await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id }, select: { pausedUntil: true } });
      return r.pausedUntil;
    });
    expect((await (await call(getRoute, { id: hook.id })).json()).circuit.state).toBe("open");

    failing = false;
    await patchHook(call, hook.id, { enabled: false });
    const reenabled = await patchHook(call, hook.id, { enabled: true });
    const reenabledAt = Date.now();
    expect(reenabled.circuit).toMatchObject({ state: "closed", pausedUntil: null });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).pausedUntil).toBeNull();
    expect(paused.getTime() - reenabledAt).toBeGreaterThan(10_000); // the pause had long to run

    const next = email("breaker-next");
    const leadNext = await sendLead(call, next);
    const r = await waitFor("delivery after re-enabling", () => about(rx.received, next)[0], 90_000);
    const d = await deliveryOf(leadNext, hook.id);
    expect(
      r.at,
      `re-enabled at ${new Date(reenabledAt).toISOString()}, old pause until ${paused.toISOString()}, the next lead arrived at ${new Date(r.at).toISOString()} (delivery ${d?.id}: ${d?.state})`,
    ).toBeLessThan(paused.getTime());
    workerAlive();
  }, 180_000);

  // ---------------------------------------------------------------------------------------------
  // 4. OAuth 2.0 client credentials
  // ---------------------------------------------------------------------------------------------
  it("OAuth client secret, then token URL, changed: the worker stops using its cached token and asks the token endpoint with the new credentials", async () => {
    const { call } = await newOrg();
    const as1 = await startTokenServer({ prefix: "as1", clientId: "leadhooks-client", secrets: ["secret-one"] });
    closers.push(as1.close);
    const hook = await createHook(call, {
      url: as1.resourceUrl,
      authentication: { type: "OAUTH2", tokenUrl: as1.tokenUrl, grantType: "client_credentials", clientId: "leadhooks-client", clientSecret: "secret-one", clientAuth: "body" },
    });

    const a = email("oauth-a");
    await sendLead(call, a);
    const ra = await waitFor("first OAuth delivery", () => about(as1.resourceRequests, a)[0]);
    expect(ra.headers.authorization).toBe("Bearer as1-1");
    const b = email("oauth-b");
    await sendLead(call, b);
    const rb = await waitFor("second OAuth delivery", () => about(as1.resourceRequests, b)[0]);
    expect(rb.headers.authorization).toBe("Bearer as1-1"); // the worker cached the token
    expect(as1.tokenRequests.map((t) => t.clientSecret)).toEqual(["secret-one"]);

    // The client secret is rotated at the authorization server and in the rule.
    as1.secrets.clear();
    as1.secrets.add("secret-two");
    await patchHook(call, hook.id, { authentication: { clientSecret: "secret-two" } });
    const c = email("oauth-c");
    await sendLead(call, c);
    const rc = await waitFor("delivery after the secret changed", () => about(as1.resourceRequests, c)[0]);
    const issuedForTwo = as1.tokenRequests.filter((t) => t.clientSecret === "secret-two" && t.issued).map((t) => `Bearer ${t.issued}`);
    expect(issuedForTwo).toContain(rc.headers.authorization);
    expect(rc.headers.authorization).not.toBe("Bearer as1-1");

    // The token URL moves to another authorization server.
    const as2 = await startTokenServer({ prefix: "as2", clientId: "leadhooks-client", secrets: ["secret-two"] });
    closers.push(as2.close);
    await patchHook(call, hook.id, { authentication: { tokenUrl: as2.tokenUrl } });
    const d = email("oauth-d");
    await sendLead(call, d);
    const rd = await waitFor("delivery after the token URL changed", () => about(as1.resourceRequests, d)[0]);
    expect(as2.tokenRequests.map((t) => [t.clientSecret, t.issued])).toEqual([["secret-two", "as2-1"]]);
    expect(rd.headers.authorization).toBe("Bearer as2-1");
    workerAlive();
  });

  // ---------------------------------------------------------------------------------------------
  // 5. Organization: Enable Webhooks, API keys, auto-disable threshold; rule delivery controls
  // ---------------------------------------------------------------------------------------------
  it("Enable Webhooks turned off while a delivery is retrying: the worker sends nothing more; turned on again, the next lead is delivered", async () => {
    const { call } = await newOrg();
    let failing = true;
    const rx = await receiver(() => (failing ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
    const hook = await createHook(call, { url: `${rx.url}/switch`, retryPolicy: { kind: "schedule", delaysSeconds: [0, 2, 2, 2, 2, 2, 2, 2] } });

    const a = email("switch-a");
    const leadA = await sendLead(call, a);
    await waitFor("first (failing) attempt", () => about(rx.received, a)[0]);
    const off = await call(patchOrganization, { method: "PATCH", body: { webhooksEnabled: false } });
    expect(off.status).toBe(200);
    const offAt = Date.now();
    failing = false;
    const d = await finalDelivery(leadA, hook.id);
    expect(d.state).toBe("SKIPPED");

    const b = email("switch-b");
    const leadB = await sendLead(call, b);
    const db2 = await deliveryOf(leadB, hook.id);
    if (db2) expect((await finalDelivery(leadB, hook.id)).state).toBe("SKIPPED");
    expect(rx.received.filter((r) => r.at > offAt + 500)).toEqual([]);

    const on = await call(patchOrganization, { method: "PATCH", body: { webhooksEnabled: true } });
    expect(on.status).toBe(200);
    const c = email("switch-c");
    await sendLead(call, c);
    await waitFor("delivery after the switch is on again", () => about(rx.received, c)[0]);
    expect(about(rx.received, b)).toEqual([]);
    workerAlive();
  });

  it("API key revoked by another process while this process remembers it: the next lead and the next Webhooks API call are refused, nothing is written", async () => {
    const { org, key, keyId, call } = await newOrg();
    const rx = await receiver();
    const hook = await createHook(call, { url: `${rx.url}/keyed` });
    const a = email("key-a");
    await sendLead(call, a); // this process now remembers the key (README: for a minute)
    await waitFor("delivery", () => about(rx.received, a)[0]);

    const other = await openDatabase(db.url, "test", { poolSize: 2 });
    try {
      await revokeApiKey(other.prisma, org.id, keyId);
    } finally {
      await other.close();
    }
    const before = await prisma().lead.count({ where: { organizationId: org.id } });
    const res = await call(postLead, { body: { email: email("key-b"), firstName: "Jane" } });
    expect(res.status).toBe(401);
    expect(await prisma().lead.count({ where: { organizationId: org.id } })).toBe(before);
    const withIdempotency = await call(postLead, { body: { email: email("key-c") }, headers: { "Idempotency-Key": "idem-1" } });
    expect(withIdempotency.status).toBe(401);
    expect((await call(patchRoute, { method: "PATCH", id: hook.id, body: { title: "renamed" } })).status).toBe(401);
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } })).title).toBe("CRM hook");
    expect(key).toMatch(/^lhk_/);
  });

  it("rule changed, another rule disabled, the organization renamed by another process: this process's next lead (remembered key, cached configuration) follows every change", async () => {
    const { org, call } = await newOrg();
    const rx = await receiver();
    const moved = await createHook(call, { url: `${rx.url}/before` });
    const dropped = await createHook(call, { url: `${rx.url}/dropped` });
    const a = email("other-a");
    await sendLead(call, a);
    await waitFor("both delivered", () => (about(rx.received, a).length === 2 ? true : null));

    const other = await openDatabase(db.url, "test", { poolSize: 2 });
    try {
      await other.prisma.webhookRule.update({ where: { id: moved.id }, data: { url: `${rx.url}/after` } });
      await other.prisma.webhookRule.update({ where: { id: dropped.id }, data: { enabled: false } });
      await other.prisma.organization.update({ where: { id: org.id }, data: { name: "Renamed Elsewhere" } });
    } finally {
      await other.close();
    }
    const b = email("other-b");
    const leadB = await sendLead(call, b);
    const rb = await waitFor("delivered to the new URL", () => about(rx.received, b)[0]);
    expect(about(rx.received, b).map((r) => r.path)).toEqual(["/after"]);
    expect((JSON.parse(rb.body) as Json).organization).toEqual({ id: org.id, name: "Renamed Elsewhere" });
    expect(await deliveryOf(leadB, dropped.id)).toBeNull();

    // Enable Webhooks switched off elsewhere: the answer says so, and nothing is sent.
    const other2 = await openDatabase(db.url, "test", { poolSize: 2 });
    try {
      await other2.prisma.organization.update({ where: { id: org.id }, data: { webhooksEnabled: false } });
    } finally {
      await other2.close();
    }
    const c = email("other-c");
    const res = await call(postLead, { body: { email: c } });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as Json;
    expect(answer.webhooksEnabled).toBe(false);
    const dc = await deliveryOf(answer.id as string, moved.id);
    if (dc) expect((await finalDelivery(answer.id as string, moved.id)).state).toBe("SKIPPED");
    expect(about(rx.received, c)).toEqual([]);
    workerAlive();
  });

  it("auto-disable threshold lowered in this process: the worker disables the failing rule at the new threshold", async () => {
    const { org, call } = await newOrg();
    const rx = await receiver(() => ({ status: 400, body: "bad" })); // 4xx: final, and not a breaker failure
    const hook = await createHook(call, { url: `${rx.url}/threshold`, retryPolicy: { kind: "schedule", delaysSeconds: [0] } });
    const warm = email("threshold-warm");
    const warmLead = await sendLead(call, warm);
    expect((await finalDelivery(warmLead, hook.id)).state).toBe("FAILED");

    await prisma().organization.update({ where: { id: org.id }, data: { autoDisableThreshold: 3 } }); // what Settings → Delivery health saves
    for (let i = 0; i < 2; i++) {
      const lead = await sendLead(call, email(`threshold-${i}`));
      expect((await finalDelivery(lead, hook.id)).state).toBe("FAILED");
    }
    const rule = await waitFor("rule disabled", async () => {
      const r = await prisma().webhookRule.findUniqueOrThrow({ where: { id: hook.id } });
      return r.enabled ? null : r;
    }, 30_000);
    expect(rule.disabledReason).toMatch(/3/);
    const after = await sendLead(call, email("threshold-after"));
    expect(await deliveryOf(after, hook.id)).toBeNull(); // this process sees the worker's disable at once
    workerAlive();
  });

  it("daily cap raised while a delivery is held by it: the worker sends the held delivery at once", async () => {
    const { call } = await newOrg();
    const rx = await receiver();
    const hook = await createHook(call, { url: `${rx.url}/capped`, limits: { caps: { day: 1 }, whenCapped: "hold" } });
    const a = email("cap-a");
    await sendLead(call, a);
    await waitFor("first delivery", () => about(rx.received, a)[0]);
    const b = email("cap-b");
    const leadB = await sendLead(call, b);
    await waitFor("second held by the cap", async () => {
      const d = await deliveryOf(leadB, hook.id);
      return d?.lastError?.startsWith("Held: ") ? d : null;
    });
    await patchHook(call, hook.id, { limits: { caps: { day: 10 } } });
    await waitFor("held delivery sent after the cap was raised", () => about(rx.received, b)[0]);
    workerAlive();
  });

  it("rate limit removed while the rule's rate window is full (README: changing a rate limit makes what it held due at once): the waiting delivery is sent without waiting for the window to end", async () => {
    const { call } = await newOrg();
    const rx = await receiver();
    const hook = await createHook(call, { url: `${rx.url}/rated`, limits: { rate: { max: 1, per: "minute" } } });
    // Start early in a minute, so the window the first request fills has long to run.
    await until(() => new Date().getUTCSeconds() < 20, 65_000);
    const a = email("rate-a");
    await sendLead(call, a);
    await waitFor("first delivery", () => about(rx.received, a)[0]);
    const full = await waitFor("rate window full", async () => (await prisma().ruleUsage.findUnique({ where: { ruleId: hook.id } }))?.rateFullUntil);
    const b = email("rate-b");
    const leadB = await sendLead(call, b);
    expect(about(rx.received, b)).toEqual([]);
    const w = await deliveryOf(leadB, hook.id);
    const waitingBefore = { state: w?.state, nextAttemptAt: w?.nextAttemptAt, lastError: w?.lastError, leaseOwner: w?.leaseOwner };

    const patched = await patchHook(call, hook.id, { limits: { rate: { max: null } } });
    const removedAt = Date.now();
    expect(patched.limits.rate.max).toBeNull();
    expect(full.getTime() - removedAt).toBeGreaterThan(20_000);
    const r = await waitFor("waiting delivery sent", () => about(rx.received, b)[0], 90_000);
    const d = await deliveryOf(leadB, hook.id);
    expect(
      r.at,
      `delivery state before: ${JSON.stringify(waitingBefore)}; rate limit removed at ${new Date(removedAt).toISOString()}; rule's rate window full until ${full.toISOString()}; the waiting delivery (${d?.id}) arrived at ${new Date(r.at).toISOString()}`,
    ).toBeLessThan(full.getTime());
    workerAlive();
  }, 180_000);
});
