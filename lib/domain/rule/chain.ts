import { z } from "zod";

// Fallback and linked rules: a rule may pass the lead on to another rule of its organization, its
// fallback when its own delivery fails for good (and, as the rule says, when a cap skips it or its
// sending window is closed), its linked rule after a success. The rules a chain can reach from a
// rule must never lead back to it: such a loop is refused when the rule is saved.

export const FALLBACK_TRIGGERS = ["capSkipped", "outsideWindow"] as const;
export type FallbackTrigger = (typeof FALLBACK_TRIGGERS)[number];

export const CHAIN_MESSAGES = {
  self: "A rule cannot pass the lead to itself.",
  unknown: "Choose another rule of this organization.",
} as const;

const ruleRef = (what: string) =>
  z
    .string()
    .trim()
    .max(100)
    .nullish()
    .transform((id) => id || null)
    .describe(what);

/** The chain settings as the form and the API take them (ids checked against the organization's rules when saved). */
export const ruleChainFields = {
  fallbackRuleId: ruleRef("The rule (webhook id) that gets the lead when this rule's delivery fails for good, and in the cases fallbackOn names; null: none."),
  linkedRuleId: ruleRef("The rule (webhook id) that gets the lead after this rule's delivery succeeded; null: none."),
  fallbackOn: z
    .array(z.enum(FALLBACK_TRIGGERS))
    .max(FALLBACK_TRIGGERS.length)
    .default([])
    .transform((t) => FALLBACK_TRIGGERS.filter((x) => t.includes(x)))
    .describe(
      "When the fallback also gets the lead, besides a delivery that failed for good: capSkipped (a cap whose action is skip skipped it), outsideWindow (the sending window is closed: the lead goes to the fallback at once instead of waiting for the window).",
    ),
};

/** WebhookRule.fallbackOn as stored (unknown values dropped). */
export function parseFallbackOn(stored: readonly string[] | null): FallbackTrigger[] {
  return FALLBACK_TRIGGERS.filter((t) => stored?.includes(t));
}

/** The edges of the organization's rules: each rule's fallback and linked rule. */
export interface ChainEdges {
  id: string;
  fallbackRuleId: string | null;
  linkedRuleId: string | null;
}

/**
 * The loop the rule `saved` (with its new edges) would close, as the rule ids along it from the
 * rule back to itself, or null when following fallback and linked rules from it never comes back.
 * `others`: the organization's other rules, as stored.
 */
export function chainLoop(saved: ChainEdges, others: readonly ChainEdges[]): string[] | null {
  const rules = new Map(others.filter((r) => r.id !== saved.id).map((r) => [r.id, r]));
  rules.set(saved.id, saved);
  const onPath: string[] = [];
  const done = new Set<string>();
  const visit = (id: string): string[] | null => {
    if (id === saved.id && onPath.length) return [...onPath, id];
    if (done.has(id) || onPath.includes(id)) return null; // a loop not through `saved` is not this save's to refuse
    const rule = rules.get(id);
    if (!rule) return null;
    onPath.push(id);
    for (const next of [rule.fallbackRuleId, rule.linkedRuleId]) {
      const loop = next ? visit(next) : null;
      if (loop) return loop;
    }
    onPath.pop();
    done.add(id);
    return null;
  };
  return visit(saved.id);
}

/** The message for a refused loop: "A → B → A". */
export function loopMessage(titles: readonly string[]): string {
  return `This would make a loop: ${titles.join(" → ")}. A rule's fallback and linked rules must never lead back to it.`;
}
