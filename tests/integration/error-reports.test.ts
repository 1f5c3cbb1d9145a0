import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { markAllNotificationsReadAction, markNotificationReadAction, unreadNotificationsCountAction } from "@/app/(admin)/notifications/actions";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { hashPassword } from "@/lib/auth/password";
import { flushErrorReports } from "@/lib/notifications/error-reports";
import { listNotifications, parseNotificationListParams } from "@/lib/notifications/queries";
import { anythingToSend, kickNotifications, sendPendingNotifications } from "@/lib/notifications/send";
import { sql } from "@/lib/db";
import { recordRuleHealth, type RuleHealthInput } from "@/lib/health/rule-health";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";
import { startSmtpServer } from "../helpers/smtp";

// Error reports end to end: failed attempts stored as the dispatcher stores them, fed to
// recordRuleHealth, then emailed through a real SMTP server started here and parsed back.

const prisma = useTestDatabase();
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
const MIN = 60_000;

beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  resetEnvCache();
  await smtp.close();
});

function useSmtp(on: boolean) {
  if (on) process.env.SMTP_URL = smtp.url;
  else delete process.env.SMTP_URL;
  resetEnvCache();
}
// Each test starts with SMTP on and nothing left to send by the tests before it.
beforeEach(async () => {
  useSmtp(true);
  await sendPendingNotifications(prisma());
});

type Org = Awaited<ReturnType<typeof createTestOrg>>;

async function setup(title: string): Promise<Org & { ruleId: string; eventId: string }> {
  const t = await createTestOrg(prisma());
  const ruleId = newId("rule");
  await prisma().webhookRule.create({ data: { id: ruleId, organizationId: t.org.id, title, events: ["lead.created"], url: "https://crm.example.com/hook" } });
  const eventId = newId("evt");
  await prisma().event.create({ data: { id: eventId, organizationId: t.org.id, type: "lead.created", payload: {} } });
  return { ...t, ruleId, eventId };
}

/** A delivery whose attempt failed at `at`, stored as the dispatcher stores it; returns the health entry for it. */
async function failure(t: { org: { id: string }; ruleId: string; eventId: string }, at: Date, statusCode = 500, errorClass: string | null = null, message: string | null = null): Promise<RuleHealthInput> {
  const id = newId("dlv");
  await prisma().delivery.create({
    data: {
      id, organizationId: t.org.id, ruleId: t.ruleId, eventId: t.eventId, url: "https://crm.example.com/hook", method: "POST",
      requestHeaders: { "user-agent": "Leadhooks/1" }, requestBody: "{}", state: "FAILED", attemptCount: 1, lastStatusCode: statusCode, completedAt: at, createdAt: new Date(at.getTime() - 1000),
    },
  });
  await prisma().deliveryAttempt.create({
    data: { id: newId("att"), deliveryId: id, number: 1, startedAt: at, durationMs: 12, requestUrl: "https://crm.example.com/hook", requestMethod: "POST", requestHeaders: {}, statusCode, errorClass, errorMessage: message },
  });
  return { deliveryId: id, ruleId: t.ruleId, organizationId: t.org.id, outcome: "FAILED", statusCode, errorClass, error: message, at };
}

const reports = (ruleId: string) => prisma().notification.findMany({ where: { ruleId, kind: "ERROR_REPORT" }, orderBy: { createdAt: "asc" } });
const mailsAbout = (title: string) => smtp.received.filter((m) => m.subject.includes(title));

describe("error reports", () => {
  it("reports an attempt that was still in flight when the previous report went out, and never reports one twice", async () => {
    const t = await setup("In-flight CRM");
    const t0 = new Date();
    const reported = await failure(t, new Date(t0.getTime() - 1000));
    await recordRuleHealth(prisma(), [reported], t0);
    expect(await reports(t.ruleId)).toHaveLength(1);
    // Started before that report, recorded after it (its batch was still sending).
    const inFlight = await failure(t, new Date(t0.getTime() - 2 * MIN), 504);
    const next = await failure(t, new Date(t0.getTime() + 61 * MIN), 502);
    await recordRuleHealth(prisma(), [inFlight, next], new Date(t0.getTime() + 61 * MIN));
    const all = await reports(t.ruleId);
    expect(all).toHaveLength(2);
    expect(all[1]!.data).toMatchObject({ count: 2, first: inFlight.at.toISOString(), last: next.at.toISOString() });
    expect(JSON.stringify(all[1]!.data)).not.toContain(reported.deliveryId);
  });

  it("reports failures once an hour per rule, emails the admins (not viewers) with the statuses and delivery links, and carries throttled failures into the next report", async () => {
    const t = await setup("CRM <intake> & co");
    const secondAdmin = await prisma().user.create({
      data: { id: newId("usr"), organizationId: t.org.id, email: `second-admin-${t.org.id}@example.test`, passwordHash: await hashPassword("password123"), role: "ADMIN" },
    });
    const t0 = new Date();
    const first = [await failure(t, new Date(t0.getTime() - 3000)), await failure(t, new Date(t0.getTime() - 2000)), await failure(t, new Date(t0.getTime() - 1000), 999, "timeout", "No response within 10000 ms")];
    await recordRuleHealth(prisma(), first, t0);

    const [report] = await reports(t.ruleId);
    expect(await reports(t.ruleId)).toHaveLength(1);
    expect(report!.title).toBe('Rule "CRM <intake> & co": 3 failed deliveries (HTTP 500, no response: timed out)');
    expect(report!.emailedAt).toBeNull();

    expect(await sendPendingNotifications(prisma())).toEqual({ sent: 1, failed: 0 });
    const mails = mailsAbout("CRM <intake> & co");
    expect(mails.map((m) => m.to[0]).sort()).toEqual([t.admin.email, secondAdmin.email].sort());
    expect(mails.some((m) => m.to.includes(t.viewer.email))).toBe(false);
    const mail = mails[0]!;
    expect(mail.subject).toBe('[Leadhooks] Rule "CRM <intake> & co": 3 failed deliveries (HTTP 500, no response: timed out)');
    expect(mail.text).toContain("HTTP 500");
    for (const f of first) expect(mail.text).toContain(`http://localhost:3000/deliveries/${f.deliveryId}`);
    expect(mail.text).toContain("No response within 10000 ms");
    // The title is user text: escaped in the HTML part, never markup.
    expect(mail.html).toContain("CRM &lt;intake&gt; &amp; co");
    expect(mail.html).not.toContain("<intake>");
    expect(mail.html).toContain(`href="http://localhost:3000/deliveries/${first[0]!.deliveryId}"`);
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: report!.id } })).emailedAt).not.toBeNull();

    // Within the hour: stored on the deliveries, no second report, no second email.
    const throttled = [await failure(t, new Date(t0.getTime() + 10 * MIN), 503), await failure(t, new Date(t0.getTime() + 20 * MIN), 503)];
    await recordRuleHealth(prisma(), throttled, new Date(t0.getTime() + 20 * MIN));
    expect(await reports(t.ruleId)).toHaveLength(1);
    expect(await sendPendingNotifications(prisma())).toEqual({ sent: 0, failed: 0 });
    expect(mailsAbout("CRM <intake> & co")).toHaveLength(2);

    // After the hour the next failure sends a report that includes the throttled ones.
    const later = await failure(t, new Date(t0.getTime() + 70 * MIN), 502);
    await recordRuleHealth(prisma(), [later], new Date(t0.getTime() + 70 * MIN));
    const all = await reports(t.ruleId);
    expect(all).toHaveLength(2);
    expect(all[1]!.title).toBe('Rule "CRM <intake> & co": 3 failed deliveries (HTTP 503, HTTP 502)');
    expect(all[1]!.data).toMatchObject({ count: 3, since: t0.toISOString(), first: throttled[0]!.at.toISOString(), last: later.at.toISOString() });
    expect(await sendPendingNotifications(prisma())).toEqual({ sent: 1, failed: 0 });
    const second = mailsAbout("CRM <intake> & co").filter((m) => m.subject.includes("HTTP 503"));
    expect(second).toHaveLength(2);
    for (const f of [...throttled, later]) expect(second[0]!.text).toContain(`/deliveries/${f.deliveryId}`);
    expect(second[0]!.text).not.toContain(`/deliveries/${first[0]!.deliveryId}`);
  });

  it("sends the throttled failures once the hour is over even when no new failure comes", async () => {
    const t = await setup("Quiet after a storm");
    const t0 = new Date();
    await recordRuleHealth(prisma(), [await failure(t, t0, 500)], t0);
    const straggler = await failure(t, new Date(t0.getTime() + 5 * MIN), 504);
    await recordRuleHealth(prisma(), [straggler], new Date(t0.getTime() + 5 * MIN));
    expect(await reports(t.ruleId)).toHaveLength(1);

    expect(await flushErrorReports(prisma(), new Date(t0.getTime() + 30 * MIN))).toBe(0); // still inside the hour
    await flushErrorReports(prisma(), new Date(t0.getTime() + 61 * MIN));
    const all = await reports(t.ruleId);
    expect(all).toHaveLength(2);
    expect(all[1]!.data).toMatchObject({ count: 1, recent: [{ deliveryId: straggler.deliveryId, statusCode: 504 }] });
    // Nothing new since: a later flush sends nothing.
    await flushErrorReports(prisma(), new Date(t0.getTime() + 130 * MIN));
    expect(await reports(t.ruleId)).toHaveLength(2);
  });

  it("sends one report when two dispatchers record the same rule's failures at the same time", async () => {
    const t = await setup("Raced rule");
    const at = new Date();
    const a = await failure(t, new Date(at.getTime() - 2000), 500);
    const b = await failure(t, new Date(at.getTime() - 1000), 503);
    await Promise.all([recordRuleHealth(prisma(), [a], at), recordRuleHealth(prisma(), [b], at), recordRuleHealth(prisma(), [a, b], at)]);
    const all = await reports(t.ruleId);
    expect(all).toHaveLength(1);
    expect(all[0]!.data).toMatchObject({ count: 2 });
  });

  it("only failures count: successes and 2xx answers make no report", async () => {
    const t = await setup("Healthy rule");
    const at = new Date();
    await recordRuleHealth(prisma(), [{ deliveryId: "dlv_x", ruleId: t.ruleId, organizationId: t.org.id, outcome: "SUCCEEDED", statusCode: 200, errorClass: null, error: null, at }], at);
    expect(await reports(t.ruleId)).toHaveLength(0);
  });

  it("records an SMTP refusal on the notification instead of throwing", async () => {
    const t = await setup("Refused mail");
    const at = new Date();
    await recordRuleHealth(prisma(), [await failure(t, at, 500)], at);
    smtp.failNext(1);
    expect(await sendPendingNotifications(prisma())).toEqual({ sent: 0, failed: 1 });
    const [report] = await reports(t.ruleId);
    expect(report!.emailedAt).toBeNull();
    expect(report!.emailError).toMatch(/451/);
    // A failed one is not retried forever: the next run leaves it alone.
    expect(await sendPendingNotifications(prisma())).toEqual({ sent: 0, failed: 0 });
  });

  it("reports a failure whose message the report's 200-character cut splits inside an emoji", async () => {
    const t = await setup("Emoji errors");
    const at = new Date();
    const message = `x${"\u{1F600}".repeat(150)}`; // the cut at 200 UTF-16 units falls between an emoji's halves
    await recordRuleHealth(prisma(), [await failure(t, at, 500, null, message)], at);
    const [report] = await reports(t.ruleId);
    expect(report).toBeDefined();
    expect(JSON.stringify(report!.data)).not.toMatch(/\\ud83d(?!\\ude00)/i);
    expect(JSON.stringify(report!.data)).toContain(`x${"\u{1F600}".repeat(99)}`);
  });

  it("keeps each organization's reports to itself", async () => {
    const a = await setup("Org A rule");
    const b = await setup("Org B rule");
    const at = new Date();
    await recordRuleHealth(prisma(), [await failure(a, at, 500), await failure(b, at, 404)], at);
    // The way the dispatcher sends them after a batch with failures.
    await kickNotifications(prisma(), { failures: true });
    expect(mailsAbout("Org A rule").map((m) => m.to[0])).toEqual([a.admin.email]);
    expect(mailsAbout("Org B rule").map((m) => m.to[0])).toEqual([b.admin.email]);
    const listB = await listNotifications(prisma(), b.org.id, parseNotificationListParams({}));
    expect(listB.rows.map((r) => r.title)).toEqual(['Rule "Org B rule": 1 failed delivery (HTTP 404)']);

    const [reportA] = await reports(a.ruleId);
    await signInAs(prisma(), b.admin.id);
    expect(await markNotificationReadAction({ id: reportA!.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await markAllNotificationsReadAction()).toEqual({ ok: true, data: { count: 1 } });
    expect((await prisma().notification.findUniqueOrThrow({ where: { id: reportA!.id } })).readAt).toBeNull();
    expect(await unreadNotificationsCountAction()).toEqual({ ok: true, data: { count: 0 } });
  });

  it("lets viewers read the count but only admins mark notifications read", async () => {
    const t = await setup("Read state");
    const at = new Date();
    await recordRuleHealth(prisma(), [await failure(t, at, 500)], at);
    const [report] = await reports(t.ruleId);
    await signInAs(prisma(), t.viewer.id);
    expect(await unreadNotificationsCountAction()).toEqual({ ok: true, data: { count: 1 } });
    expect(await markNotificationReadAction({ id: report!.id })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), t.admin.id);
    expect(await markNotificationReadAction({ id: report!.id })).toEqual({ ok: true, data: { count: 1 } });
    expect(await unreadNotificationsCountAction()).toEqual({ ok: true, data: { count: 0 } });
    await signInAs(prisma(), null);
    expect(await unreadNotificationsCountAction()).toMatchObject({ ok: false, code: "unauthenticated" });
  });

  it("without SMTP_URL the report is stored and shown in the app, and nothing is sent", async () => {
    useSmtp(false);
    const t = await setup("No mail server");
    const at = new Date();
    await recordRuleHealth(prisma(), [await failure(t, at, 500)], at);
    const before = smtp.received.length;
    expect(await sendPendingNotifications(prisma())).toEqual({ sent: 0, failed: 0 });
    expect(smtp.received.length).toBe(before);
    const [report] = await reports(t.ruleId);
    expect(report).toMatchObject({ emailedAt: null, emailError: null });
    const list = await listNotifications(prisma(), t.org.id, parseNotificationListParams({}));
    expect(list.rows.map((r) => r.title)).toEqual(['Rule "No mail server": 1 failed delivery (HTTP 500)']);
    expect(list.rows[0]!.deliveries).toHaveLength(1);
  });
});

describe("the minutely check after successful batches", () => {
  it("finds something to send only when a report waits for its hour to end, or an email is pending with SMTP on", async () => {
    const q = await sql();
    const now = new Date();
    const t = await setup("Quiet rule");
    // What earlier tests left: their reports' hours and unsent notifications.
    await prisma().webhookRule.updateMany({ data: { lastErrorReportAt: null } });
    await prisma().notification.updateMany({ where: { emailedAt: null }, data: { emailError: "left by earlier tests" } });
    expect(await anythingToSend(q, now, true)).toBe(false);

    // A report sent 30 minutes ago: the next one may not go yet. 61 minutes ago: flushErrorReports may have one to send.
    await prisma().webhookRule.update({ where: { id: t.ruleId }, data: { lastErrorReportAt: new Date(now.getTime() - 30 * MIN) } });
    expect(await anythingToSend(q, now, false)).toBe(false);
    await prisma().webhookRule.update({ where: { id: t.ruleId }, data: { lastErrorReportAt: new Date(now.getTime() - 61 * MIN) } });
    expect(await anythingToSend(q, now, false)).toBe(true);
    await prisma().webhookRule.update({ where: { id: t.ruleId }, data: { lastErrorReportAt: null } });

    // A notification not emailed yet counts only when there is a way to email it.
    await prisma().notification.create({ data: { id: newId("ntf"), organizationId: t.org.id, ruleId: t.ruleId, kind: "FAILURE_WARNING", title: "t", body: "b" } });
    expect(await anythingToSend(q, now, false)).toBe(false);
    expect(await anythingToSend(q, now, true)).toBe(true);
  });
});
