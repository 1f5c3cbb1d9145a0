"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/auth/action";
import { NotFoundError } from "@/lib/core/errors";
import { downtimeReplay, replayDeliveries } from "@/lib/delivery/log/requeue";
import { enableRule } from "@/lib/health/rule-health";

// Enabling a disabled rule from the list. When it was down (disabled automatically or by hand),
// the admin is offered, in the same click, to replay the deliveries that failed or were skipped
// meanwhile. Admins only.

const ruleRef = z.object({ ruleId: z.string().trim().min(1).max(100) });

/** What enabling this rule would offer: why it is disabled and how many deliveries can be replayed. */
export const enablePreviewAction = authedAction({ schema: ruleRef, role: "ADMIN" }, async ({ ruleId }, { prisma, organizationId }) => {
  const rule = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { title: true, enabled: true, disabledReason: true, disabledAt: true } });
  if (!rule) throw new NotFoundError();
  const replay = await downtimeReplay(prisma, organizationId, ruleId);
  return {
    title: rule.title,
    enabled: rule.enabled,
    disabledReason: rule.disabledReason,
    disabledAt: rule.disabledAt?.toISOString() ?? null,
    replayCount: replay?.count ?? 0,
  };
});

export const enableRuleAction = authedAction({ schema: ruleRef.extend({ replay: z.boolean() }), role: "ADMIN" }, async ({ ruleId, replay }, { prisma, organizationId }) => {
  const now = new Date();
  // The window is read before enabling: enabling clears the time the rule was disabled.
  const window = replay ? await downtimeReplay(prisma, organizationId, ruleId, now) : null;
  const rule = await enableRule(prisma, organizationId, ruleId);
  let replayed = 0;
  if (window) replayed = (await replayDeliveries(prisma, organizationId, { ruleId, from: window.from, to: window.to, states: ["FAILED", "SKIPPED"] }, now)).count;
  revalidatePath("/rules");
  revalidatePath("/deliveries");
  return { id: rule.id, title: rule.title, enabled: true as const, replayed };
});
