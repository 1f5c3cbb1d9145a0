import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { replayDeliveriesAction } from "@/app/(admin)/deliveries/replay-actions";
import { enablePreviewAction, enableRuleAction } from "@/app/(admin)/rules/reenable-actions";
import { updateAutoDisableAction } from "@/app/(admin)/settings/auto-disable-actions";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { dispatchBatch, dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { replayDeliveries } from "@/lib/delivery/log/requeue";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { recordRuleHealth, type RuleHealthInput } from "@/lib/health/rule-health";
import { createTestOrg, createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { watchWakeUps } from "../helpers/wake";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// The actions kick the process's dispatcher; here the test dispatches itself with a client that
// may reach the loopback receiver, so the kick is only observed.
const kick = watchWakeUps();

const prisma = useTestDatabase();
const client = useLoopbackClient();

type Org = Awaited<ReturnType<typeof createTestOrg>>;
const ONE_ATTEMPT = { kind: "schedule", delaysSeconds: [0], retryOn4xx: false };

async function setup(threshold: number, title = "Flaky CRM", url = "https://crm.example.com/hook"): Promise<Org & { ruleId: string }> {
  const t = await createWebhookOrg(prisma(), { autoDisableThreshold: threshold });
  const ruleId = newId("rule");
  await prisma().webhookRule.create({ data: { id: ruleId, organizationId: t.org.id, title, events: ["lead.created"], url, retryPolicy: ONE_ATTEMPT } });
  return { ...t, ruleId };
}

let clock = Date.now();
function entry(t: { org: { id: string }; ruleId: string }, outcome: RuleHealthInput["outcome"], statusCode: number | null = outcome === "SUCCEEDED" ? 200 : 503): RuleHealthInput {
  return { deliveryId: newId("dlv"), ruleId: t.ruleId, organizationId: t.org.id, outcome, statusCode, errorClass: null, error: null, at: new Date((clock += 1000)) };
}
const record = (entries: RuleHealthInput[]) => recordRuleHealth(prisma(), entries, new Date((clock += 1000)));
const rule = (id: string) => prisma().webhookRule.findUniqueOrThrow({ where: { id } });
const notices = (ruleId: string) =>
  prisma().notification.findMany({ where: { ruleId, kind: { in: ["FAILURE_WARNING", "RULE_DISABLED"] } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { kind: true, title: true, body: true } });

describe("consecutive failures, warnings and the automatic disable", () => {
  it("warns at 50 % and 75 % of the threshold, resets on a success, and disables at the threshold with the reason", async () => {
    const t = await setup(4);
    await record([entry(t, "FAILED")]);
    expect(await notices(t.ruleId)).toEqual([]);
    await record([entry(t, "FAILED")]);
    expect((await notices(t.ruleId)).map((n) => n.body)).toEqual([expect.stringContaining('Rule "Flaky CRM" has failed 2 times in a row; it will be disabled after 4')]);
    // Retrying attempts are failures for reports, not failed deliveries.
    await record([entry(t, "RETRYING"), entry(t, "RETRYING")]);
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 2, failureWarningLevel: 50 });

    await record([entry(t, "SUCCEEDED")]);
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 0, failureWarningLevel: 0, enabled: true });

    await record([entry(t, "FAILED")]);
    await record([entry(t, "FAILED")]);
    await record([entry(t, "FAILED")]);
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 3, failureWarningLevel: 75, enabled: true });
    await record([entry(t, "FAILED")]);
    const disabled = await rule(t.ruleId);
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 4, disabledReason: "Disabled automatically after 4 consecutive failed deliveries" });
    expect(disabled.disabledAt).toBeInstanceOf(Date);
    // In-flight failures after the disable change nothing more.
    await record([entry(t, "FAILED")]);
    expect((await notices(t.ruleId)).map((n) => [n.kind, n.title])).toEqual([
      ["FAILURE_WARNING", 'Rule "Flaky CRM" has failed 2 times in a row'],
      ["FAILURE_WARNING", 'Rule "Flaky CRM" has failed 2 times in a row'],
      ["FAILURE_WARNING", 'Rule "Flaky CRM" has failed 3 times in a row'],
      ["RULE_DISABLED", 'Rule "Flaky CRM" was disabled'],
    ]);
  });

  it("counts a batch in attempt order: failures after the batch's last success start the new streak", async () => {
    const t = await setup(10);
    await record([entry(t, "FAILED"), entry(t, "FAILED"), entry(t, "FAILED")]);
    const batch = [entry(t, "FAILED"), entry(t, "SUCCEEDED"), entry(t, "FAILED"), entry(t, "FAILED")];
    await record(batch.reverse()); // arrival order does not matter, the attempt times do
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 2, failureWarningLevel: 0 });
  });

  it("sends each warning and the disable notice once when two dispatchers report the same rule at the same time", async () => {
    const t = await setup(10); // warnings after 5, 8 and 9 failures
    await record([entry(t, "FAILED"), entry(t, "FAILED"), entry(t, "FAILED"), entry(t, "FAILED")]);
    await Promise.all([record([entry(t, "FAILED")]), record([entry(t, "FAILED")])]);
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 6, failureWarningLevel: 50 });
    expect((await notices(t.ruleId)).map((n) => n.kind)).toEqual(["FAILURE_WARNING"]);
    await Promise.all([record([entry(t, "FAILED"), entry(t, "FAILED")]), record([entry(t, "FAILED"), entry(t, "FAILED")])]);
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 10, enabled: false });
    const kinds = (await notices(t.ruleId)).map((n) => n.kind);
    expect(kinds.filter((k) => k === "RULE_DISABLED")).toHaveLength(1);
    expect(kinds.filter((k) => k === "FAILURE_WARNING").length).toBeLessThanOrEqual(2); // 75 % only if it was seen before the disable
  });

  it("disables at once on 410 Gone, with one notice even when the dispatcher disabled the rule first", async () => {
    const t = await setup(50);
    await record([entry(t, "FAILED", 410)]);
    expect(await rule(t.ruleId)).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410 Gone/) });

    const u = await setup(50, "Gone already");
    await prisma().webhookRule.update({ where: { id: u.ruleId }, data: { enabled: false, disabledAt: new Date(clock), disabledReason: "The endpoint answered 410 Gone" } });
    await record([entry(u, "FAILED", 410)]);
    await record([entry(u, "FAILED", 410)]);
    expect((await notices(u.ruleId)).map((n) => n.kind)).toEqual(["RULE_DISABLED"]);
    expect(await rule(u.ruleId)).toMatchObject({ disabledReason: "The endpoint answered 410 Gone" });
    expect((await notices(t.ruleId)).map((n) => n.kind)).toEqual(["RULE_DISABLED"]);
  });

  it("makes no query for successes of a rule the dispatcher says has no failures", async () => {
    const t = await setup(4);
    const touched: string[] = [];
    const spy = new Proxy({} as PrismaClient, { get: (_target, prop) => (touched.push(String(prop)), undefined) });
    await recordRuleHealth(spy, [{ ...entry(t, "SUCCEEDED"), ruleConsecutiveFailures: 0 }, { ...entry(t, "SUCCEEDED"), ruleConsecutiveFailures: 0 }], new Date());
    expect(touched).toEqual([]);
    // Without the hint, a success resets a streak.
    await record([entry(t, "FAILED")]);
    await record([{ ...entry(t, "SUCCEEDED") }]);
    expect(await rule(t.ruleId)).toMatchObject({ consecutiveFailures: 0 });
  });

  it("lets admins set the threshold in Settings; viewers cannot", async () => {
    const t = await setup(50);
    await signInAs(prisma(), t.viewer.id);
    expect(await updateAutoDisableAction({ autoDisableThreshold: 5 })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), t.admin.id);
    expect(await updateAutoDisableAction({ autoDisableThreshold: 0 })).toMatchObject({ ok: false, code: "invalid", fieldErrors: { autoDisableThreshold: ["Use at least 1."] } });
    expect(await updateAutoDisableAction({ autoDisableThreshold: 5 })).toEqual({ ok: true, data: { autoDisableThreshold: 5 } });
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: t.org.id } })).autoDisableThreshold).toBe(5);
  });
});

describe("a rule disabled after the threshold, then re-enabled with replay", () => {
  it("ends with every delivery that failed or was skipped while it was down sent to the fixed receiver", async () => {
    let broken = true;
    const rx = await startReceiver(() => (broken ? { status: 500, body: "database down" } : { status: 200, body: "ok" }));
    const t = await setup(4, "Intake CRM", `${rx.url}/leads`);
    const leads = [];
    for (let i = 1; i <= 6; i++) leads.push(await createLead(await sql(), t.org.id, { email: `lead${i}@example.test` }));
    const deliveryIds = leads.flatMap((l) => l.deliveryIds);
    expect(deliveryIds).toHaveLength(6);

    // One delivery per batch (the dispatcher records the rule's health after each): the streak
    // grows one at a time, with its warnings, to the threshold.
    for (let i = 0; i < 4; i++) await dispatchBatch({ prisma: prisma(), client, batchSize: 1 });
    expect(await rule(t.ruleId)).toMatchObject({ enabled: false, disabledReason: "Disabled automatically after 4 consecutive failed deliveries" });
    expect((await notices(t.ruleId)).map((n) => n.kind)).toEqual(["FAILURE_WARNING", "FAILURE_WARNING", "RULE_DISABLED"]);
    expect(await prisma().notification.count({ where: { ruleId: t.ruleId, kind: "ERROR_REPORT" } })).toBe(1);
    // The two still queued are skipped while the rule is down.
    await dispatchUntilIdle({ prisma: prisma(), client });
    const states = await prisma().delivery.groupBy({ by: ["state"], where: { ruleId: t.ruleId }, _count: { _all: true } });
    expect(Object.fromEntries(states.map((s) => [s.state, s._count._all]))).toEqual({ FAILED: 4, SKIPPED: 2 });
    expect(rx.received).toHaveLength(4);

    broken = false;
    await signInAs(prisma(), t.viewer.id);
    expect(await enableRuleAction({ ruleId: t.ruleId, replay: true })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), t.admin.id);
    expect(await enablePreviewAction({ ruleId: t.ruleId })).toMatchObject({ ok: true, data: { enabled: false, replayCount: 6, disabledReason: expect.stringMatching(/after 4 consecutive/) } });
    expect(await enableRuleAction({ ruleId: t.ruleId, replay: true })).toEqual({ ok: true, data: { id: t.ruleId, title: "Intake CRM", enabled: true, replayed: 6 } });
    expect(kick).toHaveBeenCalled();
    expect(await rule(t.ruleId)).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failureWarningLevel: 0 });

    await dispatchUntilIdle({ prisma: prisma(), client });
    const delivered = await prisma().delivery.findMany({ where: { ruleId: t.ruleId } });
    expect(delivered.map((d) => d.state)).toEqual(Array(6).fill("SUCCEEDED"));
    // Same delivery ids (so the same webhook-id), each now answered 200 by the receiver.
    const ok = rx.received.slice(4);
    expect(ok).toHaveLength(6);
    expect(new Set(ok.map((r) => r.headers["webhook-id"]))).toEqual(new Set(deliveryIds));
    expect(await enableRuleAction({ ruleId: t.ruleId, replay: true })).toMatchObject({ ok: false, code: "conflict" });
    await rx.close();
  });

  it("enables without replaying when the admin says so, and refuses another organization's rule", async () => {
    const t = await setup(1);
    const other = await setup(1);
    await prisma().webhookRule.update({ where: { id: t.ruleId }, data: { enabled: false, disabledAt: new Date(), disabledReason: "Disabled automatically after 1 consecutive failed deliveries", consecutiveFailures: 1, failureWarningLevel: 100 } });
    await signInAs(prisma(), other.admin.id);
    expect(await enablePreviewAction({ ruleId: t.ruleId })).toMatchObject({ ok: false, code: "not_found" });
    expect(await enableRuleAction({ ruleId: t.ruleId, replay: true })).toMatchObject({ ok: false, code: "not_found" });
    await signInAs(prisma(), t.admin.id);
    expect(await enableRuleAction({ ruleId: t.ruleId, replay: false })).toMatchObject({ ok: true, data: { replayed: 0 } });
    expect(await rule(t.ruleId)).toMatchObject({ enabled: true, consecutiveFailures: 0, failureWarningLevel: 0, disabledReason: null });
    expect(kick).not.toHaveBeenCalled();
  });
});

describe("bulk replay", () => {
  async function delivery(t: { org: { id: string }; ruleId: string }, eventId: string, state: "FAILED" | "SKIPPED" | "SUCCEEDED" | "PENDING", createdAt: Date, frozen = true) {
    const id = newId("dlv");
    await prisma().delivery.create({
      data: {
        id, organizationId: t.org.id, ruleId: t.ruleId, eventId, url: "https://crm.example.com/hook", method: "POST", state, createdAt, attemptCount: state === "PENDING" ? 0 : 1,
        requestHeaders: frozen ? { "user-agent": "Leadhooks/1" } : {}, requestBody: frozen ? "{}" : "", completedAt: state === "PENDING" ? null : createdAt, nextAttemptAt: state === "PENDING" ? createdAt : null,
      },
    });
    return id;
  }
  const at = (h: number) => new Date(Date.UTC(2026, 2, 1, h, 0, 0));

  it("re-queues a rule's failed and skipped deliveries in the window (succeeded only when asked), never ones without a frozen request, scoped to the organization", async () => {
    const t = await setup(50, "Replayed");
    const second = { ...t, ruleId: newId("rule") };
    await prisma().webhookRule.create({ data: { id: second.ruleId, organizationId: t.org.id, title: "Other rule", events: ["lead.created"], url: "https://x.example.com" } });
    const other = await setup(50, "Foreign");
    const eventId = newId("evt");
    await prisma().event.create({ data: { id: eventId, organizationId: t.org.id, type: "lead.created", payload: {} } });
    const foreignEvent = newId("evt");
    await prisma().event.create({ data: { id: foreignEvent, organizationId: other.org.id, type: "lead.created", payload: {} } });

    const ids = {
      failed: await delivery(t, eventId, "FAILED", at(10)),
      skipped: await delivery(t, eventId, "SKIPPED", at(11)),
      succeeded: await delivery(t, eventId, "SUCCEEDED", at(12)),
      pending: await delivery(t, eventId, "PENDING", at(12)),
      conditionSkipped: await delivery(t, eventId, "SKIPPED", at(12), false),
      before: await delivery(t, eventId, "FAILED", at(8)),
      otherRule: await delivery(second, eventId, "FAILED", at(10)),
      foreign: await delivery(other, foreignEvent, "FAILED", at(10)),
    };
    const stateOf = async (id: string) => (await prisma().delivery.findUniqueOrThrow({ where: { id } })).state;

    await signInAs(prisma(), t.viewer.id);
    expect(await replayDeliveriesAction({ ruleId: t.ruleId, from: "2026-03-01T09:00", to: "2026-03-01T13:00", includeSucceeded: false })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), t.admin.id);
    expect(await replayDeliveriesAction({ ruleId: other.ruleId, from: "2026-03-01T09:00", to: "2026-03-01T13:00", includeSucceeded: false })).toMatchObject({ ok: false, code: "not_found" });
    expect(await replayDeliveriesAction({ ruleId: t.ruleId, from: "2026-03-01T13:00", to: "2026-03-01T09:00", includeSucceeded: false })).toMatchObject({ ok: false, code: "invalid", fieldErrors: { to: [expect.any(String)] } });
    expect(await replayDeliveriesAction({ ruleId: t.ruleId, from: "2026-03-01T09:00", to: "2026-03-01T12:00", includeSucceeded: false })).toEqual({ ok: true, data: { count: 2 } });
    expect(kick).toHaveBeenCalledTimes(1);
    expect(await stateOf(ids.failed)).toBe("PENDING");
    expect(await stateOf(ids.skipped)).toBe("PENDING");
    for (const id of [ids.succeeded, ids.conditionSkipped, ids.before, ids.otherRule, ids.foreign]) expect(await stateOf(id)).not.toBe("PENDING");
    const requeued = await prisma().delivery.findUniqueOrThrow({ where: { id: ids.failed } });
    expect(requeued).toMatchObject({ completedAt: null, leaseOwner: null, requestBody: "{}" });

    // All rules, succeeded included ("to" includes its whole minute).
    const all = await replayDeliveries(prisma(), t.org.id, { from: at(8), to: at(12), states: ["FAILED", "SKIPPED", "SUCCEEDED"] });
    expect(all).toEqual({ count: 3 }); // before, otherRule, succeeded
    expect(await stateOf(ids.conditionSkipped)).toBe("SKIPPED");
    expect(await stateOf(ids.foreign)).toBe("FAILED");
  });
});
