import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { CapReached } from "@/lib/delivery/policy/outcome";
import { capLabel } from "@/lib/domain/rule/limits";
import { capReachedContent } from "@/lib/notifications/content";
import { createNotification } from "@/lib/notifications/create";

/**
 * Tells the admins that a rule reached a cap (the engine reports each rule's cap once per period,
 * lib/delivery/engine/limits.ts).
 */
export async function notifyCapsReached(prisma: PrismaClient, reached: readonly CapReached[], now: Date): Promise<void> {
  for (const c of reached) {
    const rule = await prisma.webhookRule.findUnique({ where: { id: c.ruleId }, select: { title: true } });
    if (!rule) continue;
    const content = capReachedContent({ ruleTitle: rule.title, cap: capLabel(c.period, c.limit), resetsAt: c.resetsAt, action: c.action });
    await createNotification(prisma, { organizationId: c.organizationId, ruleId: c.ruleId, kind: "CAP_REACHED", content, now });
  }
}
