import type { Prisma } from "@/lib/generated/prisma/client";
import { capTimeZone, capUse, type CapUse } from "@/lib/delivery/policy/caps";
import { hasLimits, parseDeliveryLimits, rateLabel, usageLabel, type DeliveryLimits } from "@/lib/domain/rule/limits";

// A rule's delivery limits as the rules list, the rule page and the API show them: the use of
// each cap in its current period ("412 / 500 today") and the rate limit.

/** What to select of a rule for its limits' use. */
export const limitsUseSelect = {
  deliveryLimits: true,
  timeWindow: true,
  usage: { select: { hourStart: true, hourUsed: true, dayStart: true, dayUsed: true, weekStart: true, weekUsed: true, monthStart: true, monthUsed: true } },
} satisfies Prisma.WebhookRuleSelect;

type LimitsRow = Prisma.WebhookRuleGetPayload<{ select: typeof limitsUseSelect }>;

export interface LimitsUse {
  whenCapped: DeliveryLimits["whenCapped"];
  caps: CapUse[];
  /** "10 requests per second"; null: no rate limit. */
  rate: string | null;
  /** The time zone the caps count in. */
  timeZone: string;
}

/** The rule's limits and their use now; null when it has none. */
export function limitsUse(row: LimitsRow, now: Date): LimitsUse | null {
  const limits = parseDeliveryLimits(row.deliveryLimits);
  if (!hasLimits(limits)) return null;
  const timeZone = capTimeZone(row.timeWindow, limits.timezone);
  const rate = limits.rate.max === null ? null : rateLabel({ max: limits.rate.max, per: limits.rate.per });
  return { whenCapped: limits.whenCapped, caps: capUse(limits, row.usage, now, timeZone), rate, timeZone };
}

/** "412 / 500 today · 10 requests per second" */
export function limitsUseLine(use: LimitsUse): string {
  return [...use.caps.map((c) => usageLabel(c.period, c.used, c.limit)), ...(use.rate ? [use.rate] : [])].join(" · ");
}
