import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { DispatchReport } from "@/lib/delivery/engine/report";
import { kickNotifications } from "@/lib/notifications/send";
import { recordRuleHealth } from "./rule-health";

/**
 * What a dispatched batch feeds, once its attempts are committed: failure streaks, warnings,
 * automatic disabling and error reports; then the notifications go out (not awaited: email must
 * never hold up deliveries).
 */
export async function consumeDispatchReport(prisma: PrismaClient, report: DispatchReport): Promise<void> {
  if (!report.health.length) return;
  await recordRuleHealth(prisma, report.health, report.at);
  void kickNotifications(prisma, { failures: report.health.some((h) => h.outcome !== "SUCCEEDED") });
}
