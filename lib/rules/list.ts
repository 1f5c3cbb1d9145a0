import type { PrismaClient } from "@/lib/generated/prisma/client";
import { likeLiteral } from "@/lib/core/list-params";
import type { Prisma } from "@/lib/generated/prisma/client";
import { parseTableParams, tableParamsSchema, type RawSearchParams, type TableParams } from "@/lib/core/list-params";
import { EVENT_TYPES, eventLabel, hasCreationRules } from "@/lib/domain/event-types";
import type { Rule } from "@/lib/domain/rule";
import { pauseOf, type Pause } from "@/lib/domain/rule/circuit";
import { withoutCredentials } from "@/lib/security/outbound-url";
import { limitsUse, limitsUseLine, limitsUseSelect } from "./usage";

// The Webhook Rules list: one page of an organization's rules, filtered, sorted and paged in SQL,
// with each rule's creation rules summarised for display. The export reuses the same where/order.

export const RULE_SORT_KEYS = ["status", "title", "trigger", "url", "created", "updated"] as const;
export type RuleSortKey = (typeof RULE_SORT_KEYS)[number];
export type RuleListParams = TableParams<RuleSortKey>;

export const ruleListParamsSchema = tableParamsSchema({ sortKeys: RULE_SORT_KEYS, defaultSort: "title", defaultDir: "asc" });

/** Parses ?q=&sort=&dir=&page=&size= from a page's searchParams (bad values fall back to defaults). */
export function parseRuleListParams(raw: RawSearchParams | URLSearchParams | undefined): RuleListParams {
  return parseTableParams(ruleListParamsSchema, raw);
}

/** A rule as the list shows it: its events labelled, its creation rules in one line. */
export interface ListedRule extends Pick<Rule, "id" | "title" | "enabled" | "url"> {
  events: { name: string; label: string }[];
  creationRules: string;
  disabledReason: string | null;
  disabledAt: Date | null;
  /** The circuit breaker's pause, while it lasts (as of the listing). */
  paused: Pause | null;
  /** The caps' use and the rate limit ("412 / 500 today · 10 requests per second"); null: no limits. */
  limits: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface RuleListPage {
  rows: ListedRule[];
  total: number;
  page: number;
  pageCount: number;
  size: number;
}

/** Event names whose label or name contains the filter text (case-insensitive). */
export function eventsMatching(q: string): string[] {
  const needle = q.trim().toLowerCase();
  if (!needle) return [];
  return EVENT_TYPES.filter((e) => e.label.toLowerCase().includes(needle) || e.name.toLowerCase().includes(needle)).map((e) => e.name);
}

export function ruleListWhere(organizationId: string, q: string): Prisma.WebhookRuleWhereInput {
  const needle = q.trim();
  if (!needle) return { organizationId };
  const or: Prisma.WebhookRuleWhereInput[] = [
    { title: { contains: likeLiteral(needle), mode: "insensitive" } },
    { url: { contains: likeLiteral(needle), mode: "insensitive" } },
  ];
  const events = eventsMatching(needle);
  if (events.length > 0) or.push({ events: { hasSome: events } });
  return { organizationId, OR: or };
}

/**
 * Sort keys map to columns; id breaks ties so paging is stable. "trigger" orders by the event
 * name array (PostgreSQL array order), which groups rules by trigger; it is close to, but not
 * exactly, the labels' alphabetical order.
 */
export function ruleListOrderBy(sort: RuleSortKey, dir: "asc" | "desc"): Prisma.WebhookRuleOrderByWithRelationInput[] {
  const column: Record<RuleSortKey, keyof Prisma.WebhookRuleOrderByWithRelationInput> = {
    status: "enabled",
    title: "title",
    trigger: "events",
    url: "url",
    created: "createdAt",
    updated: "updatedAt",
  };
  return [{ [column[sort]]: dir }, { id: dir }];
}

/**
 * Only what the list and the export show: no auth config, headers or templates. Creation-rule
 * references are read as ids and named from one small per-organization lookup (see
 * loadReferenceNames), which is far cheaper than joining five relations for every row.
 */
export const listedRuleSelect = {
  id: true,
  title: true,
  enabled: true,
  events: true,
  url: true,
  statusId: true,
  substatusId: true,
  officeId: true,
  opportunitySourceId: true,
  marketingSourceId: true,
  requiresCaseTrackerCode: true,
  disabledReason: true,
  disabledAt: true,
  pausedUntil: true,
  pauseReason: true,
  ...limitsUseSelect,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.WebhookRuleSelect;

type SelectedRule = Prisma.WebhookRuleGetPayload<{ select: typeof listedRuleSelect }>;

export type ReferenceNames = Map<string, { name: string; position: number }>;

/** Names of the organization's reference items (statuses, case types, offices, sources). */
export async function loadReferenceNames(prisma: PrismaClient, organizationId: string): Promise<ReferenceNames> {
  const items = await prisma.referenceItem.findMany({ where: { organizationId }, select: { id: true, name: true, position: true } });
  return new Map(items.map((i) => [i.id, { name: i.name, position: i.position }]));
}

/** Turns selected rows into list rows: one extra query for the rows' case types. */
export async function toListedRules(prisma: PrismaClient, rows: SelectedRule[], names: ReferenceNames): Promise<ListedRule[]> {
  if (rows.length === 0) return [];
  const links = await prisma.ruleCaseType.findMany({ where: { ruleId: { in: rows.map((r) => r.id) } }, select: { ruleId: true, caseTypeId: true } });
  const caseTypesByRule = new Map<string, string[]>();
  for (const { ruleId, caseTypeId } of links) caseTypesByRule.set(ruleId, [...(caseTypesByRule.get(ruleId) ?? []), caseTypeId]);
  return rows.map((r) => toListedRule(r, names, caseTypesByRule.get(r.id) ?? []));
}

export interface CreationRulesInput {
  events: readonly string[];
  status?: { name: string } | null;
  substatus?: { name: string } | null;
  caseTypes?: readonly { name: string; position?: number }[];
  office?: { name: string } | null;
  opportunitySource?: { name: string } | null;
  marketingSource?: { name: string } | null;
  requiresCaseTrackerCode?: boolean;
}

/**
 * One line describing which leads a rule fires for, e.g.
 * "Status: Signed Up › Retainer Signed · Case types: Auto Accident, Personal Injury · Office: Downtown".
 * "Any lead" when nothing narrows it; "—" when the trigger has no creation rules at all.
 */
export function creationRulesSummary(rule: CreationRulesInput): string {
  if (!hasCreationRules(rule.events)) return "—";
  const parts: string[] = [];
  if (rule.status) parts.push(`Status: ${rule.status.name}${rule.substatus ? ` › ${rule.substatus.name}` : ""}`);
  const caseTypes = [...(rule.caseTypes ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0) || a.name.localeCompare(b.name)).map((c) => c.name);
  if (caseTypes.length > 0) parts.push(`${caseTypes.length === 1 ? "Case type" : "Case types"}: ${caseTypes.join(", ")}`);
  if (rule.office) parts.push(`Office: ${rule.office.name}`);
  if (rule.opportunitySource) parts.push(`Opportunity source: ${rule.opportunitySource.name}`);
  if (rule.marketingSource) parts.push(`Marketing source: ${rule.marketingSource.name}`);
  if (rule.requiresCaseTrackerCode) parts.push("Requires case tracker code");
  return parts.length > 0 ? parts.join(" · ") : "Any lead";
}

function limitsLine(r: SelectedRule): string | null {
  const use = limitsUse(r, new Date());
  return use && limitsUseLine(use);
}

export function toListedRule(r: SelectedRule, names: ReferenceNames, caseTypeIds: readonly string[]): ListedRule {
  const named = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    id: r.id,
    title: r.title,
    enabled: r.enabled,
    events: r.events.map((name) => ({ name, label: eventLabel(name) })),
    url: withoutCredentials(r.url), // a password in a URL saved before such URLs were refused is never shown
    creationRules: creationRulesSummary({
      events: r.events,
      status: named(r.statusId),
      substatus: named(r.substatusId),
      caseTypes: caseTypeIds.flatMap((id) => names.get(id) ?? []),
      office: named(r.officeId),
      opportunitySource: named(r.opportunitySourceId),
      marketingSource: named(r.marketingSourceId),
      requiresCaseTrackerCode: r.requiresCaseTrackerCode,
    }),
    disabledReason: r.disabledReason,
    disabledAt: r.disabledAt,
    paused: pauseOf(r, new Date()),
    limits: limitsLine(r),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** One page of the organization's rules. A page past the end shows the last page. */
export async function listRules(prisma: PrismaClient, organizationId: string, params: Partial<RuleListParams> = {}): Promise<RuleListPage> {
  const { q, sort, dir, page, size } = parseRuleListParams(params as RawSearchParams);
  const where = ruleListWhere(organizationId, q);
  const orderBy = ruleListOrderBy(sort, dir);
  const fetchPage = (p: number) => prisma.webhookRule.findMany({ where, orderBy, skip: (p - 1) * size, take: size, select: listedRuleSelect });

  // Count and page run together; only an out-of-range page costs a second query.
  const [total, firstTry, names] = await Promise.all([prisma.webhookRule.count({ where }), fetchPage(page), loadReferenceNames(prisma, organizationId)]);
  const pageCount = Math.max(1, Math.ceil(total / size));
  const current = Math.min(page, pageCount);
  const rows = current === page ? firstTry : await fetchPage(current);
  return { rows: await toListedRules(prisma, rows, names), total, page: current, pageCount, size };
}
