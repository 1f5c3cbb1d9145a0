import type { Decision } from "./outcome";

// Which outcomes pass the lead on (fallback and linked rules). A delivery that failed for good goes
// to its rule's fallback; one a cap skipped, or one the closed sending window would hold, too when
// the rule says so (the latter is then SKIPPED, not held); a success goes to its linked rule.
// Anything else (a retry scheduled, a hold, a switched-off rule) passes nothing on.

export type ChainKind = "FALLBACK" | "LINKED";

/** The lead passed from a recorded delivery to another rule (written by the outbox with the outcome). */
export interface ChainLink {
  parentDeliveryId: string;
  /** The rule that gets the lead. */
  ruleId: string;
  kind: ChainKind;
  /** The values the parent's response rules extracted (a linked rule's templates may use them). */
  responseValues: Record<string, string> | null;
}

export const PASSED_TO_FALLBACK = "Outside the sending window: passed to the fallback rule";

/** The decision as recorded (a window deferral the lead leaves becomes SKIPPED) and the link it makes, if any. */
export function chainDecision(decision: Decision, now: Date): { decision: Decision; link: ChainLink | null } {
  const { chain, outcome } = decision;
  if (!chain) return { decision, link: null };
  const link = (ruleId: string | null, kind: ChainKind): ChainLink | null =>
    ruleId ? { parentDeliveryId: outcome.id, ruleId, kind, responseValues: outcome.responseValues } : null;
  if (outcome.state === "SUCCEEDED") return { decision, link: link(chain.linkedRuleId, "LINKED") };
  if (outcome.state === "FAILED") return { decision, link: link(chain.fallbackRuleId, "FALLBACK") };
  const trigger = decision.notSent;
  if (!chain.fallbackRuleId || !trigger || !chain.fallbackOn.includes(trigger)) return { decision, link: null };
  if (trigger === "capSkipped") return { decision, link: link(chain.fallbackRuleId, "FALLBACK") };
  // The closed window: the delivery ends here, skipped, and the fallback has the lead now.
  const skipped: Decision = {
    ...decision,
    outcome: { ...outcome, state: "SKIPPED", nextAttemptAt: null, lastError: PASSED_TO_FALLBACK, completedAt: now.toISOString() },
    tally: "skipped",
  };
  return { decision: skipped, link: link(chain.fallbackRuleId, "FALLBACK") };
}
