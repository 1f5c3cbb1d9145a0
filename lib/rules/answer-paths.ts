import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { LeadAnswers } from "@/lib/domain/lead";
import { storedResponseRulesSchema } from "@/lib/domain/rule/response";

// The client's answers a rule's templates and field paths can read: each value a rule's response
// parser keeps is on the lead as answers.<rule id>.<name> once that rule has delivered it. The
// rule form offers them in its field picker and lists them beside its templates, and the live
// preview renders them with a sample value.

export interface AnswerPath {
  /** answers.<rule id>.<name> */
  path: string;
  /** "Buyer East: remoteId" */
  label: string;
}

/** The paths of the values the rules' response parsers keep, by rule title then parser order. */
export function answerPaths(rules: readonly { id: string; title: string; responseRules: unknown }[]): AnswerPath[] {
  return [...rules]
    .sort((a, b) => a.title.localeCompare(b.title) || a.id.localeCompare(b.id))
    .flatMap((rule) => storedResponseRulesSchema.parse(rule.responseRules).parsers.map((p) => ({ path: `answers.${rule.id}.${p.name}`, label: `${rule.title}: ${p.name}` })));
}

/** Answers for the preview's sample lead: each path's value is "sample <name>". */
export function sampleAnswers(paths: readonly AnswerPath[]): LeadAnswers {
  const out: LeadAnswers = {};
  for (const { path } of paths) {
    const [, ruleId, name] = path.split(".") as [string, string, string];
    (out[ruleId] ??= {})[name] = `sample ${name}`;
  }
  return out;
}

/** The organization's answer paths (its rules with a response parser). */
export async function organizationAnswerPaths(prisma: PrismaClient, organizationId: string): Promise<AnswerPath[]> {
  const rules = await prisma.webhookRule.findMany({ where: { organizationId }, select: { id: true, title: true, responseRules: true } });
  return answerPaths(rules);
}
