import { Prisma, type PrismaClient } from "@/lib/generated/prisma/client";
import { likeLiteral } from "@/lib/core/list-params";
import type { DeliveryState } from "@/lib/generated/prisma/enums";
import { parseTableParams, tableParamsSchema, type RawSearchParams, type TableParams } from "@/lib/core/list-params";
import { emptyOutcome, type WebhookOutcome } from "./outcome";

// The Leads list: one page of an organization's leads, filtered, sorted and paged in SQL, each
// with a compact webhook outcome (the state of the latest delivery per rule, counted).

export const LEAD_SORT_KEYS = ["created", "updated", "name", "email", "status"] as const;
export type LeadSortKey = (typeof LEAD_SORT_KEYS)[number];
export type LeadListParams = TableParams<LeadSortKey>;

export const leadListParamsSchema = tableParamsSchema({ sortKeys: LEAD_SORT_KEYS, defaultSort: "created", defaultDir: "desc" });

/** Parses ?q=&sort=&dir=&page=&size= (bad values fall back to the defaults: newest first). */
export function parseLeadListParams(raw: RawSearchParams | URLSearchParams | undefined): LeadListParams {
  return parseTableParams(leadListParamsSchema, raw);
}

export type { WebhookOutcome };

export interface ListedLead {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  status: string | null;
  substatus: string | null;
  caseType: string | null;
  office: string | null;
  webhooks: WebhookOutcome;
  createdAt: Date;
  updatedAt: Date;
}

export interface LeadListPage {
  rows: ListedLead[];
  total: number;
  page: number;
  pageCount: number;
  size: number;
}

const SEARCHED_FIELDS = ["email", "phone", "firstName", "lastName", "caseTrackerCode"] as const;

/**
 * Every word of the filter must appear in one of the searched fields, so "jane doe" finds Jane
 * Doe (first and last name are separate columns) and "doe 555" narrows by name and phone.
 */
export function leadListWhere(organizationId: string, q: string): Prisma.LeadWhereInput {
  const words = q.trim().split(/\s+/).filter(Boolean).slice(0, 8);
  if (!words.length) return { organizationId };
  return {
    organizationId,
    AND: words.map((word) => ({ OR: SEARCHED_FIELDS.map((field) => ({ [field]: { contains: likeLiteral(word), mode: "insensitive" } })) })),
  };
}

/** Sort keys map to columns; empty values sort last either way and id breaks ties so paging is stable. */
export function leadListOrderBy(sort: LeadSortKey, dir: "asc" | "desc"): Prisma.LeadOrderByWithRelationInput[] {
  const nullable = (field: "lastName" | "firstName" | "email" | "status" | "substatus") => ({ [field]: { sort: dir, nulls: "last" } }) as Prisma.LeadOrderByWithRelationInput;
  const primary: Record<LeadSortKey, Prisma.LeadOrderByWithRelationInput[]> = {
    created: [{ createdAt: dir }],
    updated: [{ updatedAt: dir }],
    name: [nullable("lastName"), nullable("firstName")],
    email: [nullable("email")],
    status: [nullable("status"), nullable("substatus")],
  };
  return [...primary[sort], { id: dir }];
}

/**
 * Per lead, the states of the latest delivery of each rule, counted. DISTINCT ON reads one row per
 * (lead, rule) straight from the leadId index instead of every delivery a busy lead ever had.
 */
export async function webhookOutcomes(prisma: PrismaClient, organizationId: string, leadIds: readonly string[]): Promise<Map<string, WebhookOutcome>> {
  const out = new Map<string, WebhookOutcome>(leadIds.map((id) => [id, emptyOutcome()]));
  if (!leadIds.length) return out;
  const rows = await prisma.$queryRaw<{ leadId: string; state: DeliveryState }[]>`
    SELECT DISTINCT ON ("leadId", "ruleId") "leadId", "state"::text AS "state"
    FROM "Delivery"
    WHERE "organizationId" = ${organizationId} AND "leadId" IN (${Prisma.join([...leadIds])})
    ORDER BY "leadId", "ruleId", "createdAt" DESC, "id" DESC`;
  for (const { leadId, state } of rows) {
    const outcome = out.get(leadId);
    if (outcome && state in outcome) outcome[state] += 1;
  }
  return out;
}

export function displayName(lead: { firstName: string | null; lastName: string | null }): string | null {
  return [lead.firstName, lead.lastName].filter(Boolean).join(" ") || null;
}

const listedLeadSelect = {
  id: true, email: true, phone: true, firstName: true, lastName: true, status: true, substatus: true,
  caseType: true, office: true, createdAt: true, updatedAt: true,
} satisfies Prisma.LeadSelect;

/** One page of the organization's leads. A page past the end shows the last page. */
export async function listLeads(prisma: PrismaClient, organizationId: string, params: Partial<LeadListParams> = {}): Promise<LeadListPage> {
  const { q, sort, dir, page, size } = parseLeadListParams(params as RawSearchParams);
  const where = leadListWhere(organizationId, q);
  const orderBy = leadListOrderBy(sort, dir);
  const fetchPage = (p: number) => prisma.lead.findMany({ where, orderBy, skip: (p - 1) * size, take: size, select: listedLeadSelect });

  // Count and page run together; only an out-of-range page costs a second query.
  const [total, firstTry] = await Promise.all([prisma.lead.count({ where }), fetchPage(page)]);
  const pageCount = Math.max(1, Math.ceil(total / size));
  const current = Math.min(page, pageCount);
  const leads = current === page ? firstTry : await fetchPage(current);
  const outcomes = await webhookOutcomes(prisma, organizationId, leads.map((l) => l.id));
  const rows = leads.map(({ firstName, lastName, ...lead }) => ({ ...lead, name: displayName({ firstName, lastName }), webhooks: outcomes.get(lead.id) ?? emptyOutcome() }));
  return { rows, total, page: current, pageCount, size };
}
