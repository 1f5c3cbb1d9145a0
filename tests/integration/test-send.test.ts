import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { resetEnvCache } from "@/lib/core/env";
import { createApiKey } from "@/lib/api/keys";
import { POST as testRoute } from "@/app/api/v1/webhooks/[id]/test/route";
import { getDashboard } from "@/lib/dashboard/queries";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { retryDelivery } from "@/lib/delivery/log/requeue";
import { listDeliveries, ruleDeliveryStats } from "@/lib/delivery/log/queries";
import { createLead } from "@/lib/leads/mutations";
import { reportRuleErrors } from "@/lib/notifications/error-reports";
import { sendTestLead } from "@/lib/rules/test-send";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// Send a test lead, against a real HTTP receiver: it goes through the rule's real pipeline (basic
// auth, signature, response rules), is recorded as a test delivery, and touches neither the rule's
// health, its duplicates, the dashboard nor error reports.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();

async function setup(respond: () => { status: number; body?: string }) {
  const rx = await startReceiver(respond);
  const { org } = await createWebhookOrg(prisma());
  const rule = await prisma().webhookRule.create({
    data: {
      id: newId("rule"), organizationId: org.id, title: "Buyer", events: ["lead.created"], url: `${rx.url}/real`,
      responseRules: { successStatuses: "200", bodyCondition: { enabled: true, path: "result", equals: "accepted" }, parsers: [{ name: "remote", path: "id" }] },
      duplicateSuppression: { match: "email", field: null, days: 30 },
      consecutiveFailures: 3,
    },
  });
  return { rx, org, rule };
}

describe("send a test lead", () => {
  it("sends the sample lead through the real pipeline, shows the request, response and verdict, and records a test delivery", async () => {
    const { rx, org, rule } = await setup(() => ({ status: 200, body: '{"result":"accepted","id":"R-1"}' }));
    const result = await sendTestLead(prisma(), await sql(), org.id, { ruleId: rule.id }, { client });

    expect(rx.received).toHaveLength(1);
    const got = rx.received[0]!;
    expect(got.path).toBe("/real");
    expect(got.headers["leadhooks-test"]).toBe("true");
    expect(got.headers["webhook-id"]).toBe(result.deliveryId);
    expect(got.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(JSON.parse(got.body)).toMatchObject({ type: "lead.created", data: { lead: { email: "jane.oneil@example.com" } } });
    expect(result.request).toMatchObject({ method: "POST", url: `${rx.url}/real`, body: got.body });
    expect(result.request.headers["leadhooks-test"]).toBe("true");
    expect(result.response).toMatchObject({ status: 200, body: '{"result":"accepted","id":"R-1"}', error: null });
    expect(result.outcome).toMatchObject({ success: true, state: "SUCCEEDED", reason: null, values: { remote: "R-1" } });

    const d = await prisma().delivery.findUniqueOrThrow({ where: { id: result.deliveryId }, include: { attempts: true } });
    expect(d).toMatchObject({ isTest: true, state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200, dedupeKey: null, leadId: null, responseValues: { remote: "R-1" } });
    expect(d.attempts).toHaveLength(1);
    expect((await listDeliveries(prisma(), org.id)).rows[0]).toMatchObject({ id: d.id, isTest: true });
    // A success of a test does not reset the rule's failure streak either.
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } })).consecutiveFailures).toBe(3);
    await rx.close();
  });

  it("a chosen lead's kept answers reach the test's templates, as they reach its real deliveries", async () => {
    const { rx, org, rule } = await setup(() => ({ status: 200, body: "ok" }));
    const lead = (await createLead(await sql(), org.id, { email: "answered@x.test" })).lead;
    await prisma().delivery.deleteMany({ where: { ruleId: rule.id } }); // the lead's real delivery: not part of this test
    await prisma().lead.update({ where: { id: lead.id }, data: { answers: { rule_earlier: { remoteId: "R-77" } } } });
    await prisma().webhookRule.update({ where: { id: rule.id }, data: { url: `${rx.url}/by-answer/{{ answers.rule_earlier.remoteId }}` } });
    await sendTestLead(prisma(), await sql(), org.id, { ruleId: rule.id, leadId: lead.id }, { client });
    expect(rx.received.map((r) => r.path)).toEqual(["/by-answer/R-77"]);
    await rx.close();
  });

  it("a failed test (a chosen lead, a test URL) changes no health counter, counts in no statistics, duplicates or error reports, and is never queued again", async () => {
    const { rx, org, rule } = await setup(() => ({ status: 500, body: "boom" }));
    const lead = (await createLead(await sql(), org.id, { email: "real@x.test" })).lead;
    await prisma().delivery.deleteMany({ where: { ruleId: rule.id } }); // the lead's real delivery: not part of this test
    const result = await sendTestLead(prisma(), await sql(), org.id, { ruleId: rule.id, leadId: lead.id, url: `${rx.url}/test` }, { client });
    expect(rx.received.map((r) => r.path)).toEqual(["/test"]);
    expect(JSON.parse(rx.received[0]!.body).data.lead.email).toBe("real@x.test");
    expect(result.outcome).toMatchObject({ success: false, state: "FAILED" });
    expect(result.response.status).toBe(500);

    const row = await prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } });
    expect(row).toMatchObject({ consecutiveFailures: 3, enabled: true, lastErrorReportAt: null });
    expect(await reportRuleErrors(prisma(), rule.id, new Date())).toBeNull();
    const dashboard = await getDashboard(prisma(), org.id, "24h");
    expect(dashboard.hasDeliveries).toBe(false);
    expect(dashboard.rules).toEqual([]);
    expect(await ruleDeliveryStats(prisma(), org.id, rule.id)).toMatchObject({ counts: { FAILED: 0 }, successRate: null });
    // Never re-queued (it would be sent and counted as a real delivery).
    await expect(retryDelivery(prisma(), org.id, result.deliveryId)).rejects.toThrow(/test send is never sent again/);
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 0 });

    // A real lead with the same email is not a duplicate of the test.
    rx.received.length = 0;
    await createLead(await sql(), org.id, { email: "real@x.test" });
    expect(await dispatchUntilIdle({ prisma: prisma(), client })).toMatchObject({ claimed: 1, skipped: 0 });
    expect(rx.received.map((r) => r.path)).toEqual(["/real"]);
    await rx.close();
  });

  it("POST /api/v1/webhooks/{id}/test answers with the exchange; a test URL goes through the URL checks", async () => {
    const { rx, org, rule } = await setup(() => ({ status: 200, body: '{"result":"accepted","id":"R-2"}' }));
    const key = (await createApiKey(prisma(), org.id, "t")).key;
    const call = routeCaller(() => key);
    const res = await call(testRoute, { id: rule.id, method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: { success: true, values: { remote: "R-2" } }, response: { status: 200 } });
    const refused = await call(testRoute, { id: rule.id, body: { url: "ftp://example.com/x" } });
    expect(refused.status).toBe(422);
    // A private address outside ALLOWED_PRIVATE_NETWORKS is refused like a rule saved with it (it was a 200 with status 999).
    for (const url of ["http://10.20.30.40/x", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/x", "http://0.0.0.0:9/x"]) {
      const blocked = await call(testRoute, { id: rule.id, body: { url } });
      expect(blocked.status, url).toBe(422);
      expect((await blocked.json()) as { error: { fields?: Record<string, string[]> } }, url).toMatchObject({ error: { fields: { url: [expect.any(String)] } } });
    }
    expect(rx.received).toHaveLength(1);
    expect((await call(testRoute, { id: "rule_missing", body: {} })).status).toBe(404);
    await rx.close();
  });
});
