import type { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/core/env";
import { mailerFromEnv, type Mailer } from "@/lib/mail/mailer";
import { composeEmail } from "./email";
import { utc, type Sql } from "@/lib/db/sql";
import { flushErrorReports, flushWindow } from "./error-reports";

// Emails the organization's admins about notifications not emailed yet. Each notification is
// claimed (emailedAt set) before it is sent, so two processes never send the same one; an SMTP
// failure is recorded on the notification (emailError) and the notification stays in the app.

/** Older notifications are not emailed when SMTP is configured later: they are news no more. */
const MAX_AGE_MS = 24 * 3600_000;
const BATCH = 100;

const message = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

/**
 * First composes the error reports that were waiting for their hour (flushErrorReports), then,
 * when SMTP is configured (or a mailer is passed), emails what is pending. Never throws: the
 * dispatcher calls it after its batches. Returns how many notifications were emailed (to at least
 * one admin) and how many could not be.
 */
export async function sendPendingNotifications(prisma: PrismaClient, mailer?: Mailer): Promise<{ sent: number; failed: number }> {
  const result = { sent: 0, failed: 0 };
  const now = new Date();
  try {
    await flushErrorReports(prisma, now);
  } catch (err) {
    console.error("error reports:", message(err));
  }
  try {
    const transport = mailer ?? mailerFromEnv();
    if (!transport) return result;
    const baseUrl = env().NEXTAUTH_URL;
    const pending = await prisma.notification.findMany({
      where: { emailedAt: null, emailError: null, createdAt: { gt: new Date(now.getTime() - MAX_AGE_MS) } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: BATCH,
      select: { id: true, organizationId: true, ruleId: true, kind: true, title: true, body: true, data: true },
    });
    const adminsByOrg = new Map<string, string[]>();
    for (const n of pending) {
      const { count } = await prisma.notification.updateMany({ where: { id: n.id, emailedAt: null, emailError: null }, data: { emailedAt: now } });
      if (!count) continue; // another process is sending it
      let admins = adminsByOrg.get(n.organizationId);
      if (!admins) {
        const users = await prisma.user.findMany({ where: { organizationId: n.organizationId, role: "ADMIN" }, select: { email: true }, orderBy: { email: "asc" } });
        admins = users.map((u) => u.email);
        adminsByOrg.set(n.organizationId, admins);
      }
      const email = composeEmail(n, baseUrl);
      const errors: string[] = [];
      let delivered = 0;
      // One message per admin: admins do not see each other's addresses.
      for (const to of admins) {
        try {
          await transport.send({ to, ...email });
          delivered++;
        } catch (err) {
          errors.push(`${to}: ${message(err)}`);
        }
      }
      if (!admins.length) errors.push("The organization has no admin to email");
      if (errors.length) {
        await prisma.notification.update({ where: { id: n.id }, data: { emailedAt: delivered > 0 ? now : null, emailError: errors.join("; ").slice(0, 1000) } });
      }
      if (delivered > 0) result.sent++;
      else result.failed++;
    }
  } catch (err) {
    console.error("notification emails:", message(err));
  }
  return result;
}

// The dispatcher's entry point: at most one run per process at a time, right away after a batch
// with failures, otherwise at most once a minute (to send reports whose throttle hour is over).
const IDLE_INTERVAL_MS = 60_000;
const key = Symbol.for("leadhooks.notifications");
type G = typeof globalThis & { [key]?: { running: Promise<void> | null; again: boolean; lastRun: number } };

/** Resolves once the notifications being sent (if any) are done; never rejects. */
export async function notificationsSettled(): Promise<void> {
  await (globalThis as G)[key]?.running?.catch(() => {});
}

/**
 * Whether sendPendingNotifications could have anything to do: a rule whose error report waits for
 * its hour to end (flushErrorReports's window), or (with SMTP configured) a notification not emailed yet. One plain statement,
 * so a process delivering only successes never loads Prisma's query engine for its minutely check.
 */
export async function anythingToSend(q: Sql, now: Date, mailing = mailerFromEnv() !== null): Promise<boolean> {
  const window = flushWindow(now);
  const [row] = await q.query<{ due: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM "WebhookRule" WHERE "lastErrorReportAt" <= ${utc("$1")} AND "lastErrorReportAt" > ${utc("$2")})
         OR ($3::boolean AND EXISTS (SELECT 1 FROM "Notification" WHERE "emailedAt" IS NULL AND "emailError" IS NULL AND "createdAt" > ${utc("$4")})) AS due`,
    [window.until, window.after, mailing, new Date(now.getTime() - MAX_AGE_MS).toISOString()],
    "notifications-due",
  );
  return Boolean(row?.due);
}

/**
 * Runs sendPendingNotifications when due; never rejects. Call it after each dispatcher batch:
 * after failures at once, otherwise at most once a minute, and then (given `sql`) only when
 * anythingToSend says there is something.
 */
export function kickNotifications(
  prisma: PrismaClient,
  opts: { failures: boolean; sql?: Sql },
  now = Date.now(),
  send: (prisma: PrismaClient) => Promise<unknown> = sendPendingNotifications,
): Promise<void> {
  const g = globalThis as G;
  const state = (g[key] ??= { running: null, again: false, lastRun: 0 });
  if (state.running) {
    if (opts.failures) state.again = true; // new reports may have been stored after this run read them
    return state.running;
  }
  if (!opts.failures && now - state.lastRun < IDLE_INTERVAL_MS) return Promise.resolve();
  state.lastRun = now;
  const idle = !opts.failures;
  state.running = (async () => {
    try {
      // A batch with failures may kick meanwhile (state.again): then the run goes on.
      if (idle && opts.sql && !(await anythingToSend(opts.sql, new Date(now))) && !state.again) return;
      for (;;) {
        state.again = false;
        await send(prisma);
        if (!state.again) return;
      }
    } catch (err) {
      console.error("notifications:", message(err));
    } finally {
      // In the same step as the last look at state.again: a kick from here on starts a run of its
      // own (cleared a microtask later, a kick in between was told to a run that had ended).
      state.running = null;
    }
  })();
  return state.running;
}
