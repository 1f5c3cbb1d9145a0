import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as cron } from "@/app/api/cron/deliver/route";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { arrivalOf, describeDefects, Ledger, type Arrival } from "@/scripts/bench/ledger";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver, type Received } from "../helpers/receiver";

// The benchmark's ledger (scripts/bench/ledger.ts) against real deliveries of the engine: 50
// events into 5 rules, posted through the REST API and dispatched through the cron route.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
process.env.CRON_SECRET = "cron-secret-for-tests-0123456789";
resetEnvCache();

const EVENTS = 50;
const RULES = ["/rule-1", "/rule-2", "/rule-3", "/rule-4", "/rule-5"];
const prisma = useTestDatabase();
const dispatch = () => cron(new Request("http://localhost/api/cron/deliver", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } }));
let rx: Awaited<ReturnType<typeof startReceiver>>;
let key = "";
const call = routeCaller(() => key);
const accepted: string[] = [];

/** A ledger of the accepted events, fed the receiver's log. */
function ledgerOf(log: Received[]): Ledger {
  const ledger = new Ledger();
  for (const id of accepted) ledger.accept(id, RULES, 0);
  for (const r of log) {
    const a = arrivalOf({ path: r.path, webhookId: r.headers["webhook-id"] as string | undefined, body: r.body, at: 1 });
    if (a) ledger.receive(a);
  }
  return ledger;
}

beforeAll(async () => {
  rx = await startReceiver();
  const { org } = await createWebhookOrg(prisma());
  for (const path of RULES) {
    await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: path, events: ["lead.created"], url: `${rx.url}${path}` } });
  }
  key = (await createApiKey(prisma(), org.id, "bench")).key;
  for (let i = 0; i < EVENTS; i++) {
    const res = await call(postLead, { body: { email: `lead${i}@example.test`, firstName: "Bench" } });
    expect(res.status).toBe(201);
    accepted.push(((await res.json()) as { id: string }).id);
  }
  for (let i = 0; i < 30 && ledgerOf(rx.received).outstanding() > 0; i++) await dispatch();
});
afterAll(async () => {
  await dispatch(); // let a kicked dispatch finish before the database closes
  await rx.close();
});

describe("the benchmark's ledger", () => {
  it("holds for the engine's real deliveries: each of the 250 owed arrived once, under its own webhook-id", () => {
    const report = ledgerOf(rx.received).report();
    expect(describeDefects(report)).toEqual([]);
    expect(report).toMatchObject({ expected: EVENTS * RULES.length, delivered: EVENTS * RULES.length, holds: true });
    expect(new Set(rx.received.map((r) => r.headers["webhook-id"])).size).toBe(EVENTS * RULES.length);
  });

  it("catches a missing and a duplicated delivery in that same log (one removed, one repeated)", () => {
    const removed = rx.received[7]!;
    const repeated = rx.received[3]!;
    const log = [...rx.received.filter((r) => r !== removed), repeated];
    const report = ledgerOf(log).report();
    const leadOf = (r: Received) => (JSON.parse(r.body) as { data: { lead: { id: string } } }).data.lead.id;
    expect(report.holds).toBe(false);
    expect(report.missing).toEqual([{ leadId: leadOf(removed), rule: removed.path }]);
    expect(report.repeated).toEqual([{ webhookId: repeated.headers["webhook-id"], leadId: leadOf(repeated), rule: repeated.path, count: 2 }]);
    expect(report.delivered).toBe(EVENTS * RULES.length - 1);
    expect(describeDefects(report).join("\n")).toContain(String(repeated.headers["webhook-id"]));
  });

  it("counts a delivery that arrives before its event's 201; flags a second webhook-id for one event and rule, and a delivery nobody owed; lets a rule that never answers repeat", () => {
    const at = (webhookId: string, leadId: string, rule: string): Arrival => ({ webhookId, leadId, rule, at: 1 });
    const ledger = new Ledger(["/silent"]);
    ledger.receive(at("d1", "lead_a", "/ok"));
    ledger.accept("lead_a", ["/ok", "/silent"], 0);
    expect(ledger.outstanding()).toBe(0);
    ledger.receive(at("d2", "lead_a", "/silent"));
    ledger.receive(at("d2", "lead_a", "/silent"));
    ledger.accept("lead_b", ["/ok", "/silent"], 0);
    expect(ledger.outstanding()).toBe(1);
    expect(ledger.reached("/silent")).toBe(1);
    expect(ledger.report()).toMatchObject({ holds: false, missing: [{ leadId: "lead_b", rule: "/ok" }], repeated: [], doubled: [], unexpected: [] });
    ledger.receive(at("d3", "lead_b", "/ok"));
    ledger.receive(at("d4", "lead_b", "/ok"));
    ledger.receive(at("d5", "lead_z", "/ok"));
    const report = ledger.report();
    expect(report).toMatchObject({ missing: [], repeated: [], doubled: [{ leadId: "lead_b", rule: "/ok", webhookIds: ["d3", "d4"] }], unexpected: [at("d5", "lead_z", "/ok")], holds: false });
  });
});
