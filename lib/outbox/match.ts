import { eventType } from "@/lib/domain/event-types";
import type { LeadSnapshot } from "@/lib/domain/lead";
import type { CreationRules } from "@/lib/domain/rule";

const same = (a: string | null, b: string | null) => (a ?? "").trim().toLowerCase() === (b ?? "").trim().toLowerCase();

/**
 * Whether a lead event should reach a rule. Creation rules apply only to the triggers that offer
 * them (Lead Created, Edited, Status Changed, Note Added); other triggers match every lead.
 * Returns null on a match, else the first reason it does not match.
 */
export function creationRulesMismatch(eventName: string, rules: CreationRules, lead: LeadSnapshot): string | null {
  if (!eventType(eventName)?.creationRules) return null;
  if (rules.status && !same(rules.status, lead.status)) return `status is not ${rules.status}`;
  if (rules.substatus && !same(rules.substatus, lead.substatus)) return `substatus is not ${rules.substatus}`;
  if (rules.caseTypes.length && !rules.caseTypes.some((c) => same(c, lead.caseType))) return `case type is not one of ${rules.caseTypes.join(", ")}`;
  if (rules.office && !same(rules.office, lead.office)) return `office is not ${rules.office}`;
  if (rules.opportunitySource && !same(rules.opportunitySource, lead.opportunitySource)) return `opportunity source is not ${rules.opportunitySource}`;
  if (rules.marketingSource && !same(rules.marketingSource, lead.marketingSource)) return `marketing source is not ${rules.marketingSource}`;
  if (rules.requiresCaseTrackerCode && !lead.caseTrackerCode?.trim()) return "no case tracker code";
  return null;
}
