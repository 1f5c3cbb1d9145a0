import { HEALTH_RESET } from "../health/rule-health";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { DomainError, NotFoundError } from "@/lib/core/errors";

// Enabling, disabling and deleting a rule from the list. Every query carries the organization, so
// another organization's rule id behaves exactly like an id that does not exist.

export const DELETE_ENABLED_RULE_MESSAGE = "Disable the rule before deleting it.";

/**
 * Flips a rule between enabled and disabled. Enabling clears why and when it was disabled (an
 * automatic disable after repeated failures records a reason); a manual disable records the time.
 */
export async function toggleRuleEnabled(prisma: PrismaClient, organizationId: string, ruleId: string, now = new Date()): Promise<{ id: string; title: string; enabled: boolean }> {
  const rule = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true, title: true, enabled: true } });
  if (!rule) throw new NotFoundError();
  const enabled = !rule.enabled;
  // Conditional on the state we read, so two admins clicking at once cannot both "flip" it.
  const { count } = await prisma.webhookRule.updateMany({
    where: { id: ruleId, organizationId, enabled: rule.enabled },
    data: enabled ? { enabled, ...HEALTH_RESET } : { enabled, disabledAt: now },
  });
  if (count === 0) throw new DomainError("The rule was changed by someone else. Reload the page and try again.");
  return { id: rule.id, title: rule.title, enabled };
}

/** Deletes a disabled rule. An enabled rule is refused so a live integration is never removed by a stray click. */
export async function deleteDisabledRule(prisma: PrismaClient, organizationId: string, ruleId: string): Promise<{ id: string; title: string }> {
  const rule = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true, title: true, enabled: true } });
  if (!rule) throw new NotFoundError();
  if (rule.enabled) throw new DomainError(DELETE_ENABLED_RULE_MESSAGE);
  // enabled: false in the delete itself: a rule re-enabled since the read is not deleted.
  const { count } = await prisma.webhookRule.deleteMany({ where: { id: ruleId, organizationId, enabled: false } });
  if (count === 0) {
    const still = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true } });
    if (!still) throw new NotFoundError();
    throw new DomainError(DELETE_ENABLED_RULE_MESSAGE);
  }
  return { id: rule.id, title: rule.title };
}
