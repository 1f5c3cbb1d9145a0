import type { DispatchReport, ReportDb } from "@/lib/delivery/engine/report";
import { kickNotifications } from "@/lib/notifications/send";
import { notifyCapsReached } from "./caps";
import { recordRuleHealth } from "./rule-health";

/**
 * What a dispatched batch feeds, once its attempts are committed: failure streaks, warnings,
 * automatic disabling, error reports and reached caps; then the notifications go out (not
 * awaited: email must never hold up deliveries).
 */
export async function consumeDispatchReport({ prisma, sql }: ReportDb, report: DispatchReport): Promise<void> {
  const capsReached = report.capsReached ?? [];
  if (capsReached.length) await notifyCapsReached(prisma, capsReached, report.at);
  if (report.health.length) await recordRuleHealth(prisma, report.health, report.at);
  if (capsReached.length || report.health.length) void kickNotifications(prisma, { failures: report.health.some((h) => h.outcome !== "SUCCEEDED"), sql });
}
