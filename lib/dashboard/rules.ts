import { successRate, totalOf, type OutcomeCounts } from "./series";

// Per-rule health on the dashboard and its order: the rules that need attention first. Pure.

export interface RuleHealth {
  id: string;
  title: string;
  enabled: boolean;
  /** Why the rule was disabled automatically (e.g. a 410 Gone); null when it was not. */
  disabledReason: string | null;
  disabledAt: Date | null;
  /** Deliveries created in the window, by outcome. */
  counts: OutcomeCounts;
  deliveries: number;
  /** succeeded / (succeeded + failed); null when nothing finished. */
  successRate: number | null;
  /** Response time percentiles of the attempts that got an HTTP response; null when none did. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** The latest failed attempt of the window's deliveries. */
  lastFailureAt: Date | null;
}

export function ruleHealth(rule: Pick<RuleHealth, "id" | "title" | "enabled" | "disabledReason" | "disabledAt">, counts: OutcomeCounts, times: Pick<RuleHealth, "p50Ms" | "p95Ms" | "lastFailureAt"> | undefined): RuleHealth {
  return {
    ...rule,
    counts,
    deliveries: totalOf(counts),
    successRate: successRate(counts),
    p50Ms: times?.p50Ms ?? null,
    p95Ms: times?.p95Ms ?? null,
    lastFailureAt: times?.lastFailureAt ?? null,
  };
}

/** Failed or still retrying deliveries in the window. */
export const failuresOf = (r: Pick<RuleHealth, "counts">): number => r.counts.failed + r.counts.retrying;

/** A failing rule had a delivery fail, or fail and wait for a retry, in the window. */
export const isFailing = (r: Pick<RuleHealth, "counts">): boolean => failuresOf(r) > 0;

/** Disabled by the system (repeated failures, 410 Gone) rather than by an admin. */
export const isAutoDisabled = (r: Pick<RuleHealth, "enabled" | "disabledReason">): boolean => !r.enabled && r.disabledReason !== null;

/**
 * Failing rules first, worst first: the lowest success rate (a failing rule with nothing finished
 * yet counts as 0%), then the most failures. Then rules disabled automatically, then the busiest.
 * Title and id break ties so the order is stable between loads.
 */
export function compareRuleHealth(a: RuleHealth, b: RuleHealth): number {
  const group = (r: RuleHealth) => (isFailing(r) ? 0 : isAutoDisabled(r) ? 1 : 2);
  return (
    group(a) - group(b) ||
    (isFailing(a) ? (a.successRate ?? 0) - (b.successRate ?? 0) || failuresOf(b) - failuresOf(a) : 0) ||
    b.deliveries - a.deliveries ||
    a.title.localeCompare(b.title) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function rankRules(rules: readonly RuleHealth[]): RuleHealth[] {
  return [...rules].sort(compareRuleHealth);
}
