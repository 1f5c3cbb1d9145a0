import { sql } from "@/lib/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDashboard } from "@/lib/dashboard/queries";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// The dashboard's numbers against hand-computed expectations: deliveries and attempts are written
// with fixed times around a fixed "now" for two organizations (the second with wildly different
// numbers, so any leak shows), then one real dispatch checks the live path end to end.

const prisma = useTestDatabase();

const NOW = new Date("2026-03-10T15:30:00.000Z");
const at = (hoursAgo: number, plusMinutes = 0) => new Date(NOW.getTime() - hoursAgo * 3_600_000 + plusMinutes * 60_000);

type State = "PENDING" | "SUCCEEDED" | "FAILED" | "SKIPPED";
interface AttemptSeed {
  status: number;
  ms: number;
  errorClass?: string;
  errorMessage?: string;
}

async function seedRule(organizationId: string, title: string, extra: { enabled?: boolean; disabledReason?: string; disabledAt?: Date } = {}) {
  const rule = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId, title, events: ["lead.created"], url: "https://hooks.example.com/x", ...extra } });
  return rule.id;
}

const events = new Map<string, string>();
async function eventOf(organizationId: string) {
  let id = events.get(organizationId);
  if (!id) {
    id = (await prisma().event.create({ data: { id: newId("evt"), organizationId, type: "lead.created", payload: {} } })).id;
    events.set(organizationId, id);
  }
  return id;
}

/** A delivery created `hoursAgo` with its attempts one minute apart after that. */
async function seedDelivery(organizationId: string, ruleId: string, hoursAgo: number, state: State, attempts: AttemptSeed[] = [], lastError: string | null = null) {
  const createdAt = at(hoursAgo);
  const id = newId("dlv");
  await prisma().delivery.create({
    data: {
      id, organizationId, ruleId, eventId: await eventOf(organizationId), state, url: "https://hooks.example.com/x", method: "POST", requestHeaders: {}, requestBody: "{}",
      attemptCount: attempts.length, lastStatusCode: attempts.at(-1)?.status ?? null, lastError, createdAt,
      attempts: {
        create: attempts.map((a, i) => ({
          id: newId("att"), number: i + 1, startedAt: at(hoursAgo, i + 1), durationMs: a.ms, requestUrl: "https://hooks.example.com/x", requestMethod: "POST", requestHeaders: {},
          statusCode: a.status, errorClass: a.errorClass ?? null, errorMessage: a.errorMessage ?? null,
        })),
      },
    },
  });
  return id;
}

const ok = (ms: number): AttemptSeed => ({ status: 200, ms });
const fail = (status: number, ms: number): AttemptSeed => ({ status, ms });

let orgA: string;
let orgB: string;
const r = {} as Record<"zap" | "crm" | "slow" | "body" | "gone" | "paused" | "foreign" | "foreignGone", string>;
const d = {} as Record<"z4" | "c1" | "c2" | "c3" | "body" | "b2", string>;

beforeAll(async () => {
  orgA = (await createTestOrg(prisma())).org.id;
  orgB = (await createTestOrg(prisma())).org.id;
  r.zap = await seedRule(orgA, "Zapier Intake");
  r.crm = await seedRule(orgA, "CRM Sync");
  r.slow = await seedRule(orgA, "Slow Lane");
  r.body = await seedRule(orgA, "Body Check");
  r.gone = await seedRule(orgA, "Gone Partner", { enabled: false, disabledReason: "The endpoint answered 410 Gone", disabledAt: at(6 * 24) });
  r.paused = await seedRule(orgA, "Paused By Admin", { enabled: false, disabledAt: at(2) });
  r.foreign = await seedRule(orgB, "Zapier Intake");
  r.foreignGone = await seedRule(orgB, "Foreign Gone", { enabled: false, disabledReason: "The endpoint answered 410 Gone", disabledAt: at(1) });

  // Org A, last 24 hours: 11 deliveries (5 succeeded, 3 failed, 1 retrying, 1 queued, 1 skipped).
  await seedDelivery(orgA, r.zap, 1, "SUCCEEDED", [ok(100)]);
  await seedDelivery(orgA, r.zap, 1, "SUCCEEDED", [ok(200)]);
  await seedDelivery(orgA, r.zap, 3, "SUCCEEDED", [ok(300)]);
  d.z4 = await seedDelivery(orgA, r.zap, 3, "FAILED", [fail(404, 400)]);
  d.c1 = await seedDelivery(orgA, r.crm, 5, "FAILED", [fail(500, 1000), { status: 999, ms: 10_000, errorClass: "timeout", errorMessage: "No response within 10000 ms" }]);
  d.c2 = await seedDelivery(orgA, r.crm, 4, "PENDING", [fail(503, 50)]);
  d.c3 = await seedDelivery(orgA, r.crm, 20, "SUCCEEDED", [fail(500, 20), ok(40)]);
  await seedDelivery(orgA, r.slow, 0.5, "PENDING");
  await seedDelivery(orgA, r.slow, 0.5, "SKIPPED");
  d.body = await seedDelivery(orgA, r.body, 2, "FAILED", [ok(70)], "Body check failed: $.ok is false");
  await seedDelivery(orgA, r.paused, 1, "SUCCEEDED", [ok(10)]);
  // Older: in the 7 days only, and out of both.
  await seedDelivery(orgA, r.crm, 48, "FAILED", [fail(400, 600)]);
  await seedDelivery(orgA, r.crm, 240, "FAILED", [fail(500, 5)]);

  // Org B: same rule title, same hours, numbers nobody could mistake for A's.
  await seedDelivery(orgB, r.foreign, 1, "SUCCEEDED", [ok(99_999)]);
  d.b2 = await seedDelivery(orgB, r.foreign, 1, "FAILED", [fail(500, 88_888)]);
});

describe("getDashboard, last 24 hours", () => {
  it("counts the window's deliveries by outcome, with the success rate of finished ones and response time percentiles", async () => {
    const dash = await getDashboard(prisma(), orgA, "24h", NOW);
    expect(dash.hasDeliveries).toBe(true);
    expect(dash.window.start.toISOString()).toBe("2026-03-09T16:00:00.000Z");
    expect(dash.window.end.toISOString()).toBe("2026-03-10T16:00:00.000Z");
    expect(dash.totals).toEqual({
      succeeded: 5, failed: 3, retrying: 1, queued: 1, skipped: 1, deliveries: 11, successRate: 5 / 8,
      // durations with a response: 10 20 40 50 70 100 200 300 400 1000 (the 999 timeout is left out)
      p50Ms: 85, p95Ms: 730, failingRules: 3,
    });
  });

  it("fills every hour of the axis, the SQL buckets landing on their UTC hour", async () => {
    const { series } = await getDashboard(prisma(), orgA, "24h", NOW);
    expect(series).toHaveLength(24);
    expect(series[0]!.start).toBe("2026-03-09T16:00:00.000Z");
    expect(series[23]!.start).toBe("2026-03-10T15:00:00.000Z");
    const byHour = Object.fromEntries(series.filter((p) => p.total > 0).map(({ start, total, ...counts }) => [start.slice(11, 13) + (start.startsWith("2026-03-09") ? "-" : ""), { total, ...counts }]));
    expect(byHour).toEqual({
      "19-": { total: 1, succeeded: 1, failed: 0, retrying: 0, queued: 0, skipped: 0 },
      "10": { total: 1, succeeded: 0, failed: 1, retrying: 0, queued: 0, skipped: 0 },
      "11": { total: 1, succeeded: 0, failed: 0, retrying: 1, queued: 0, skipped: 0 },
      "12": { total: 2, succeeded: 1, failed: 1, retrying: 0, queued: 0, skipped: 0 },
      "13": { total: 1, succeeded: 0, failed: 1, retrying: 0, queued: 0, skipped: 0 },
      "14": { total: 3, succeeded: 3, failed: 0, retrying: 0, queued: 0, skipped: 0 },
      "15": { total: 2, succeeded: 0, failed: 0, retrying: 0, queued: 1, skipped: 1 },
    });
  });

  it("lists rules failing first (worst success rate first), then rules disabled automatically, then the busiest", async () => {
    const { rules } = await getDashboard(prisma(), orgA, "24h", NOW);
    expect(rules.map((x) => x.title)).toEqual(["Body Check", "CRM Sync", "Zapier Intake", "Gone Partner", "Slow Lane", "Paused By Admin"]);
    const byTitle = Object.fromEntries(rules.map((x) => [x.title, x]));
    expect(byTitle["Zapier Intake"]).toMatchObject({ id: r.zap, deliveries: 4, successRate: 0.75, p50Ms: 250, p95Ms: 385, lastFailureAt: at(3, 1) });
    expect(byTitle["CRM Sync"]).toMatchObject({ deliveries: 3, successRate: 0.5, p50Ms: 45, p95Ms: 857.5, lastFailureAt: at(4, 1) });
    expect(byTitle["CRM Sync"]!.counts).toEqual({ succeeded: 1, failed: 1, retrying: 1, queued: 0, skipped: 0 });
    expect(byTitle["Body Check"]).toMatchObject({ deliveries: 1, successRate: 0, p50Ms: 70, p95Ms: 70, lastFailureAt: at(2, 1) });
    expect(byTitle["Slow Lane"]).toMatchObject({ deliveries: 2, successRate: null, p50Ms: null, p95Ms: null, lastFailureAt: null });
    expect(byTitle["Gone Partner"]).toMatchObject({ deliveries: 0, enabled: false, disabledReason: "The endpoint answered 410 Gone" });
    expect(byTitle["Paused By Admin"]).toMatchObject({ deliveries: 1, successRate: 1, lastFailureAt: null });
  });

  it("shows only the rules disabled automatically, with their reason", async () => {
    const { autoDisabled } = await getDashboard(prisma(), orgA, "24h", NOW);
    expect(autoDisabled).toEqual([{ id: r.gone, title: "Gone Partner", disabledReason: "The endpoint answered 410 Gone", disabledAt: at(6 * 24) }]);
  });

  it("lists recent failed attempts newest first with a diagnosis, including a 2xx refused by the body check, never the successful attempt", async () => {
    const { recentErrors } = await getDashboard(prisma(), orgA, "24h", NOW);
    expect(recentErrors.map((e) => [e.deliveryId, e.statusCode, e.startedAt.toISOString()])).toEqual([
      [d.body, 200, at(2, 1).toISOString()],
      [d.z4, 404, at(3, 1).toISOString()],
      [d.c2, 503, at(4, 1).toISOString()],
      [d.c1, 999, at(5, 2).toISOString()],
      [d.c1, 500, at(5, 1).toISOString()],
      [d.c3, 500, at(20, 1).toISOString()],
    ]);
    const [body, z4, c2, timeout] = recentErrors;
    expect(body!.rule).toEqual({ id: r.body, title: "Body Check" });
    expect(body!.diagnosis.title).toBe("Body condition failed: the response does not report success");
    expect(body!.diagnosis.detail).toContain("$.ok is false");
    expect(z4!.diagnosis.title).toBe("404 Not Found: check the URL path");
    expect(c2!.diagnosis.title).toBe("The endpoint had a server error");
    expect(timeout).toMatchObject({ errorClass: "timeout", errorMessage: "No response within 10000 ms" });
    expect(timeout!.diagnosis.title).toBe("Timed out: the endpoint did not answer in time");
  });
});

describe("getDashboard, last 7 days", () => {
  it("buckets by UTC day and takes in the older deliveries of the week only", async () => {
    const dash = await getDashboard(prisma(), orgA, "7d", NOW);
    expect(dash.series.map((p) => [p.start.slice(0, 10), p.total])).toEqual([
      ["2026-03-04", 0], ["2026-03-05", 0], ["2026-03-06", 0], ["2026-03-07", 0], ["2026-03-08", 1], ["2026-03-09", 1], ["2026-03-10", 10],
    ]);
    expect(dash.totals).toMatchObject({ deliveries: 12, succeeded: 5, failed: 4, successRate: 5 / 9 });
    const crm = dash.rules.find((x) => x.id === r.crm)!;
    // 20 40 50 600 1000
    expect(crm).toMatchObject({ deliveries: 4, successRate: 1 / 3, p50Ms: 50, p95Ms: 920 });
  });
});

describe("organization isolation", () => {
  it("another organization sees only its own deliveries, rules, percentiles and errors", async () => {
    const dash = await getDashboard(prisma(), orgB, "24h", NOW);
    expect(dash.totals).toMatchObject({ deliveries: 2, succeeded: 1, failed: 1, successRate: 0.5, p50Ms: 94_443.5, failingRules: 1 });
    expect(dash.rules.map((x) => x.id)).toEqual([r.foreign, r.foreignGone]);
    expect(dash.autoDisabled.map((x) => x.id)).toEqual([r.foreignGone]);
    expect(dash.recentErrors.map((e) => e.deliveryId)).toEqual([d.b2]);
    const a = await getDashboard(prisma(), orgA, "24h", NOW);
    expect(a.rules.map((x) => x.id)).not.toContain(r.foreign);
    expect(a.autoDisabled.map((x) => x.id)).not.toContain(r.foreignGone);
  });

  it("an organization without deliveries gets an empty, continuous axis and no rates", async () => {
    const { org } = await createTestOrg(prisma());
    const dash = await getDashboard(prisma(), org.id, "24h", NOW);
    expect(dash.hasDeliveries).toBe(false);
    expect(dash.series).toHaveLength(24);
    expect(dash.series.every((p) => p.total === 0)).toBe(true);
    expect(dash.totals).toMatchObject({ deliveries: 0, successRate: null, p50Ms: null, p95Ms: null, failingRules: 0 });
    expect(dash.rules).toEqual([]);
    expect(dash.recentErrors).toEqual([]);
  });
});

describe("live deliveries", () => {
  const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true } });
  afterAll(() => client.destroy());

  it("a dispatched success and failure show up in the current hour, as the engine wrote them", async () => {
    const rx = await startReceiver((req) => (req.body.includes("bad@") ? { status: 500, body: "boom" } : { status: 200, body: "ok" }));
    try {
      const { org } = await createTestOrg(prisma());
      await prisma().organization.update({ where: { id: org.id }, data: { webhooksEnabled: true } });
      const ruleId = await seedRule(org.id, "Live");
      await prisma().webhookRule.update({ where: { id: ruleId }, data: { url: `${rx.url}/hook` } });
      await createLead(await sql(), org.id, { email: "good@example.test" });
      await createLead(await sql(), org.id, { email: "bad@example.test" });
      await dispatchBatch({ prisma: prisma(), client });
      expect(rx.received).toHaveLength(2);

      const dash = await getDashboard(prisma(), org.id, "24h");
      expect(dash.totals).toMatchObject({ deliveries: 2, succeeded: 1, retrying: 1, successRate: 1, failingRules: 1 });
      expect(dash.totals.p50Ms).toEqual(expect.any(Number));
      expect(dash.series.at(-1)).toMatchObject({ total: 2, succeeded: 1, retrying: 1 });
      expect(dash.recentErrors).toHaveLength(1);
      expect(dash.recentErrors[0]).toMatchObject({ statusCode: 500, rule: { id: ruleId, title: "Live" } });
      expect(dash.recentErrors[0]!.diagnosis.title).toBe("The endpoint had a server error");
    } finally {
      await rx.close();
    }
  });
});
