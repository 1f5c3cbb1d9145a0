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

/** Refused: other rules pass leads on to this one (deleting it would silently clear their choice). */
export class RuleInChainError extends DomainError {}

/** "Rules "A" and "B" pass leads on to this rule …" */
export function inChainMessage(titles: readonly string[]): string {
  const names = titles.map((t) => `"${t}"`);
  const list = names.length === 1 ? `Rule ${names[0]} passes` : `Rules ${names.slice(0, -1).join(", ")} and ${names.at(-1)} pass`;
  return `${list} leads on to this rule (as fallback or linked rule). Choose another rule there first, then delete this one.`;
}

/**
 * Deletes a rule (`only` "disabled": as the list asks; "any": the API's force) unless
 * other rules name it as their fallback or linked rule. The check and the delete hold the
 * organization's row, as saving a chain does, so a rule chained to it meanwhile is not lost.
 */
export async function deleteRuleChecked(prisma: PrismaClient, organizationId: string, ruleId: string, only: "disabled" | "any"): Promise<{ id: string; title: string }> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "Organization" WHERE id = ${organizationId} FOR UPDATE`;
    const rule = await tx.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true, title: true, enabled: true } });
    if (!rule) throw new NotFoundError();
    if (only === "disabled" && rule.enabled) throw new DomainError(DELETE_ENABLED_RULE_MESSAGE);
    const chained = await tx.webhookRule.findMany({
      where: { organizationId, id: { not: ruleId }, OR: [{ fallbackRuleId: ruleId }, { linkedRuleId: ruleId }] },
      select: { title: true },
      orderBy: { title: "asc" },
    });
    if (chained.length) throw new RuleInChainError(inChainMessage(chained.map((r) => r.title)));
    // enabled: false in the delete itself: a rule re-enabled since the read is not deleted.
    const { count } = await tx.webhookRule.deleteMany({ where: { id: ruleId, organizationId, ...(only === "disabled" ? { enabled: false } : {}) } });
    if (count === 0) throw new DomainError(DELETE_ENABLED_RULE_MESSAGE);
    return { id: rule.id, title: rule.title };
  });
}

/** Deletes a disabled rule. An enabled rule is refused so a live integration is never removed by a stray click. */
export async function deleteDisabledRule(prisma: PrismaClient, organizationId: string, ruleId: string): Promise<{ id: string; title: string }> {
  return deleteRuleChecked(prisma, organizationId, ruleId, "disabled");
}
