import { z } from "zod";
import { likeLiteral } from "@/lib/core/list-params";
import type { RawSearchParams } from "@/lib/core/list-params";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import type { DeliveryState } from "@/lib/domain/delivery";
import type { ChainKind, DeliveryState as StoredDeliveryState } from "@/lib/generated/prisma/enums";
import { redactHeaders } from "@/lib/delivery/policy/redact";
import type { ParsedErrorValues } from "@/lib/delivery/policy/response";
import type { AttemptRecord } from "@/lib/delivery/policy/outcome";
import { NotFoundError } from "@/lib/core/errors";
import { nextAttemptOf } from "@/lib/domain/rule/circuit";
import { unstorableTextReason } from "@/lib/core/storable";
import { withoutCredentials } from "@/lib/security/outbound-url";
import { eventLabel } from "@/lib/domain/event-types";
import { ANSWER_NAMES } from "@/lib/domain/rule/response";
import { chainNote } from "./chain";
import { createdRange, parseDeliveryListParams, type DeliveryFilters, type DeliveryListParams, type DeliverySortKey } from "./list-params";

// The domain's list of states is the database's enum, both ways.
const SAME_STATES: [DeliveryState, StoredDeliveryState] extends [StoredDeliveryState, DeliveryState] ? true : never = true;
void SAME_STATES;

// Read side of the delivery log: the filtered, sorted, paged list, one delivery with its attempts,
// and a rule's recent health. Every query is scoped to the organization; another organization's
// delivery looks exactly like one that does not exist.

export interface LeadRef {
  id: string;
  email: string | null;
  name: string | null;
}

export interface ListedDelivery {
  id: string;
  rule: { id: string; title: string };
  event: { type: string; label: string };
  lead: LeadRef | null;
  state: DeliveryState;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** Skipped as a duplicate: the earlier delivery. */
  duplicateOfId: string | null;
  /** A test send from the rule form or the API. */
  isTest: boolean;
  nextAttemptAt: Date | null;
  /** Pending behind an earlier pending delivery of its lead to its rule (ordering per lead); absent: not. */
  waitingForEarlier?: boolean;
  /** The client's answer: what the response parser extracted (remoteId, result…); null: none. */
  answer: Record<string, string> | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface DeliveryListPage {
  rows: ListedDelivery[];
  total: number;
  page: number;
  pageCount: number;
  size: number;
}

function statusWhere(status: string): Prisma.IntNullableFilter {
  const cls = /^([1-5])xx$/.exec(status);
  if (cls) {
    const base = Number(cls[1]) * 100;
    return { gte: base, lt: base + 100 };
  }
  return { equals: Number(status) };
}

/** Deliveries whose kept answer has a remoteId, result, reason or price containing the text (any case). */
export function answerSearch(text: string): Prisma.DeliveryWhereInput[] {
  const literal = likeLiteral(text);
  return ANSWER_NAMES.map((name) => ({ responseValues: { path: [name], string_contains: literal, mode: "insensitive" as const } }));
}

/** The where clause of the list and of "Retry failed": the same filters select the same rows. */
export function deliveryListWhere(organizationId: string, f: Partial<DeliveryFilters>): Prisma.DeliveryWhereInput {
  const and: Prisma.DeliveryWhereInput[] = [{ organizationId }];
  if (f.ruleId) and.push({ ruleId: f.ruleId });
  if (f.batchId) and.push({ batchId: f.batchId });
  if (f.state === "RETRYING") and.push({ state: "PENDING", attemptCount: { gt: 0 } });
  else if (f.state) and.push({ state: f.state });
  if (f.status) and.push({ lastStatusCode: statusWhere(f.status) });
  const range = createdRange(f.from, f.to);
  if (range) and.push({ createdAt: range });
  const search = f.q?.trim();
  if (search) {
    const q = likeLiteral(search);
    and.push({
      OR: [
        { id: { contains: q, mode: "insensitive" } },
        { rule: { title: { contains: q, mode: "insensitive" } } },
        { lead: { email: { contains: q, mode: "insensitive" } } },
        { lead: { firstName: { contains: q, mode: "insensitive" } } },
        { lead: { lastName: { contains: q, mode: "insensitive" } } },
        ...answerSearch(search),
      ],
    });
  }
  return { AND: and };
}

/** Sort keys map to columns; newest first, then id, break ties so paging is stable. Empty values sort last. */
export function deliveryListOrderBy(sort: DeliverySortKey, dir: "asc" | "desc"): Prisma.DeliveryOrderByWithRelationInput[] {
  const primary: Record<DeliverySortKey, Prisma.DeliveryOrderByWithRelationInput> = {
    created: { createdAt: dir },
    state: { state: dir },
    attempts: { attemptCount: dir },
    lastStatusCode: { lastStatusCode: { sort: dir, nulls: "last" } },
    nextAttemptAt: { nextAttemptAt: { sort: dir, nulls: "last" } },
  };
  return sort === "created" ? [primary.created, { id: dir }] : [primary[sort], { createdAt: "desc" }, { id: "desc" }];
}

const leadSelect = { id: true, email: true, firstName: true, lastName: true } satisfies Prisma.LeadSelect;

function leadRef(lead: Prisma.LeadGetPayload<{ select: typeof leadSelect }> | null): LeadRef | null {
  if (!lead) return null;
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(" ") || null;
  return { id: lead.id, email: lead.email, name };
}

export const listedSelect = {
  id: true,
  state: true,
  attemptCount: true,
  lastStatusCode: true,
  lastError: true,
  duplicateOfId: true,
  isTest: true,
  nextAttemptAt: true,
  responseValues: true,
  createdAt: true,
  updatedAt: true,
  rule: { select: { id: true, title: true, orderedPerLead: true, pausedUntil: true } },
  event: { select: { type: true } },
  lead: { select: leadSelect },
} satisfies Prisma.DeliverySelect;

/** What tells whether a delivery waits behind an earlier one of its lead (see waitingForEarlier). */
interface OrderedCandidate {
  id: string;
  state: DeliveryState;
  createdAt: Date;
  rule: { id: string; orderedPerLead: boolean };
  lead: { id: string } | null;
}

/**
 * The ids of the pending deliveries of rules with ordering per lead that an earlier pending
 * delivery (createdAt, then id, as the claim orders them) of the same lead to the same rule holds
 * back. One query, and none when no such delivery is among them.
 */
export async function waitingForEarlier(prisma: PrismaClient, organizationId: string, ds: OrderedCandidate[]): Promise<Set<string>> {
  const candidates = ds.filter((d) => d.state === "PENDING" && d.rule.orderedPerLead && d.lead);
  const out = new Set<string>();
  if (!candidates.length) return out;
  const earlier = await prisma.delivery.findMany({
    where: { organizationId, state: "PENDING", OR: candidates.map((d) => ({ ruleId: d.rule.id, leadId: d.lead!.id, createdAt: { lte: d.createdAt } })) },
    select: { id: true, ruleId: true, leadId: true, createdAt: true },
  });
  for (const d of candidates) {
    const before = (e: (typeof earlier)[number]) => e.createdAt < d.createdAt || (e.createdAt.getTime() === d.createdAt.getTime() && e.id < d.id);
    if (earlier.some((e) => e.ruleId === d.rule.id && e.leadId === d.lead!.id && before(e))) out.add(d.id);
  }
  return out;
}

/** Rows as listed, each marked when it waits behind an earlier delivery of its lead (one query at most). */
async function listedWithWaiting(prisma: PrismaClient, organizationId: string, rows: Prisma.DeliveryGetPayload<{ select: typeof listedSelect }>[]): Promise<ListedDelivery[]> {
  const waiting = await waitingForEarlier(prisma, organizationId, rows);
  return rows.map((d) => (waiting.has(d.id) ? { ...toListed(d), waitingForEarlier: true } : toListed(d)));
}

export function toListed(d: Prisma.DeliveryGetPayload<{ select: typeof listedSelect }>): ListedDelivery {
  return {
    id: d.id,
    rule: { id: d.rule.id, title: d.rule.title },
    event: { type: d.event.type, label: eventLabel(d.event.type) },
    lead: leadRef(d.lead),
    state: d.state,
    attemptCount: d.attemptCount,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    duplicateOfId: d.duplicateOfId,
    isTest: d.isTest,
    nextAttemptAt: nextAttemptOf(d, d.rule, new Date()),
    answer: asResponseValues(d.responseValues),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

/** One page of the organization's deliveries. A page past the end shows the last page. */
export async function listDeliveries(prisma: PrismaClient, organizationId: string, params: Partial<DeliveryListParams> | RawSearchParams = {}): Promise<DeliveryListPage> {
  const p = parseDeliveryListParams(params as RawSearchParams);
  const where = deliveryListWhere(organizationId, p);
  const orderBy = deliveryListOrderBy(p.sort, p.dir);
  const fetchPage = (page: number) => prisma.delivery.findMany({ where, orderBy, skip: (page - 1) * p.size, take: p.size, select: listedSelect });
  const [total, firstTry] = await Promise.all([prisma.delivery.count({ where }), fetchPage(p.page)]);
  const pageCount = Math.max(1, Math.ceil(total / p.size));
  const current = Math.min(p.page, pageCount);
  const rows = current === p.page ? firstTry : await fetchPage(current);
  const listed = await listedWithWaiting(prisma, organizationId, rows);
  return { rows: listed, total, page: current, pageCount, size: p.size };
}

/** How many FAILED deliveries "Retry failed" would re-queue with these filters. */
export async function countFailedMatching(prisma: PrismaClient, organizationId: string, filters: Partial<DeliveryFilters>): Promise<number> {
  return prisma.delivery.count({ where: { AND: [deliveryListWhere(organizationId, filters), { state: "FAILED" }] } });
}

// Headers are stored as JSON objects of strings; anything else (never written by the engine) is
// shown as empty rather than failing the page. Redacted again on the way out: the engine already
// does it for attempts, and credentials must not reach a browser even if a future writer forgets.
const headersSchema = z.record(z.string(), z.string()).catch({});
const asHeaders = (v: unknown): Record<string, string> => redactHeaders(headersSchema.parse(v));

// What the response and error parsers stored. Read defensively like the headers: a value the
// engine did not write is dropped, never shown raw.
const responseValuesSchema = z.record(z.string(), z.string()).nullable().catch(null);
const parsedErrorSchema = z
  .object({ code: z.string().optional(), message: z.string().optional(), field: z.string().optional() })
  .nullable()
  .catch(null);

/** {name: value} from Delivery.responseValues; null when absent or empty. */
export function asResponseValues(v: unknown): Record<string, string> | null {
  const values = responseValuesSchema.parse(v ?? null);
  return values && Object.keys(values).length ? values : null;
}

/** {code, message, field} from DeliveryAttempt.parsedError; null when absent or empty. */
export function asParsedError(v: unknown): ParsedErrorValues | null {
  const e = parsedErrorSchema.parse(v ?? null);
  if (!e) return null;
  const out: ParsedErrorValues = {};
  if (e.code) out.code = e.code;
  if (e.message) out.message = e.message;
  if (e.field) out.field = e.field;
  return Object.keys(out).length ? out : null;
}

/** A stored attempt as the delivery page shows it. */
export interface DeliveryAttemptView extends Omit<AttemptRecord, "deliveryId" | "parsedError"> {
  id: string;
  /** The error parser's findings in a failure response. */
  parsedError: ParsedErrorValues | null;
  /** This attempt completed the delivery (a succeeded delivery cannot be retried, so only its last attempt can have). */
  succeeded: boolean;
}

export interface DeliveryDetail extends Omit<ListedDelivery, "answer"> {
  event: { id: string; type: string; label: string; createdAt: Date };
  completedAt: Date | null;
  /** The response parser's values from the latest response. */
  responseValues: Record<string, string> | null;
  request: { url: string; method: string; headers: Record<string, string>; body: string };
  attempts: DeliveryAttemptView[];
  /** Sent in a batch (its rule sends batches): the batch's id (its webhook-id) and how many deliveries it holds. */
  batch: { id: string; size: number } | null;
  /** A chained delivery: the one whose outcome passed the lead on, and what it says ("Fallback of …"). */
  parent: { id: string; note: string } | null;
  /** The deliveries this one's outcome passed the lead on to (fallback and linked rules). */
  children: { id: string; ruleTitle: string; state: StoredDeliveryState; kind: ChainKind }[];
}

/** One delivery with its frozen request and every attempt (oldest first). */
export async function getDelivery(prisma: PrismaClient, organizationId: string, deliveryId: string): Promise<DeliveryDetail> {
  if (unstorableTextReason(deliveryId)) throw new NotFoundError("Delivery not found"); // /deliveries/%00: no such id, not a database error
  const d = await prisma.delivery.findFirst({
    where: { id: deliveryId, organizationId },
    include: {
      rule: { select: { id: true, title: true, orderedPerLead: true, pausedUntil: true } },
      event: { select: { id: true, type: true, createdAt: true } },
      lead: { select: leadSelect },
      attempts: { orderBy: { number: "asc" } },
      parent: { select: { id: true, state: true, lastError: true, rule: { select: { title: true } } } },
      children: { select: { id: true, state: true, chainKind: true, rule: { select: { title: true } } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
    },
  });
  if (!d) throw new NotFoundError("Delivery not found");
  const batch = d.batchId ? { id: d.batchId, size: await prisma.delivery.count({ where: { organizationId, batchId: d.batchId } }) } : null;
  const lastNumber = d.attempts.at(-1)?.number;
  const waiting = await waitingForEarlier(prisma, organizationId, [d]);
  return {
    id: d.id,
    rule: { id: d.rule.id, title: d.rule.title },
    event: { id: d.event.id, type: d.event.type, label: eventLabel(d.event.type), createdAt: d.event.createdAt },
    lead: leadRef(d.lead),
    state: d.state,
    attemptCount: d.attemptCount,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    duplicateOfId: d.duplicateOfId,
    isTest: d.isTest,
    nextAttemptAt: nextAttemptOf(d, d.rule, new Date()),
    ...(waiting.size ? { waitingForEarlier: true } : {}),
    completedAt: d.completedAt,
    responseValues: asResponseValues(d.responseValues),
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    // A URL saved with a password before such URLs were refused froze it into its deliveries: never shown.
    request: { url: withoutCredentials(d.url), method: d.method, headers: asHeaders(d.requestHeaders), body: d.requestBody },
    parent: d.parent && d.chainKind ? { id: d.parent.id, note: chainNote(d.chainKind, { ruleTitle: d.parent.rule.title, state: d.parent.state, lastError: d.parent.lastError }) } : null,
    children: d.children.flatMap((c) => (c.chainKind ? [{ id: c.id, ruleTitle: c.rule.title, state: c.state, kind: c.chainKind }] : [])),
    attempts: d.attempts.map((a) => ({
      id: a.id,
      number: a.number,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      requestUrl: withoutCredentials(a.requestUrl),
      requestMethod: a.requestMethod,
      requestHeaders: asHeaders(a.requestHeaders),
      statusCode: a.statusCode,
      responseHeaders: asHeaders(a.responseHeaders),
      responseBody: a.responseBody,
      bodyTruncated: a.bodyTruncated,
      errorClass: a.errorClass,
      errorMessage: a.errorMessage,
      parsedError: asParsedError(a.parsedError),
      succeeded: d.state === "SUCCEEDED" && a.number === lastNumber,
    })),
    batch,
  };
}

/**
 * The response parser's values of some of the organization's deliveries (e.g. a lead's latest per
 * rule), by delivery id; deliveries without values, or of another organization, are left out.
 */
export async function deliveryResponseValues(prisma: PrismaClient, organizationId: string, deliveryIds: string[]): Promise<Map<string, Record<string, string>>> {
  const out = new Map<string, Record<string, string>>();
  if (deliveryIds.length === 0) return out;
  const rows = await prisma.delivery.findMany({ where: { organizationId, id: { in: deliveryIds } }, select: { id: true, responseValues: true } });
  for (const r of rows) {
    const values = asResponseValues(r.responseValues);
    if (values) out.set(r.id, values);
  }
  return out;
}

export const STATS_WINDOW_DAYS = 7;
export const RECENT_LIMIT = 10;

export interface RuleDeliveryStats {
  /** Deliveries created in the window, per state. */
  counts: Record<DeliveryState, number>;
  /** succeeded / (succeeded + failed) in the window, 0..1; null when nothing finished. */
  successRate: number | null;
  recent: ListedDelivery[];
}

/** A rule's health: the last deliveries, and outcomes of the past week. */
export async function ruleDeliveryStats(prisma: PrismaClient, organizationId: string, ruleId: string, now = new Date()): Promise<RuleDeliveryStats> {
  const rule = await prisma.webhookRule.findFirst({ where: { id: ruleId, organizationId }, select: { id: true } });
  if (!rule) throw new NotFoundError("Rule not found");
  const since = new Date(now.getTime() - STATS_WINDOW_DAYS * 86_400_000);
  const [groups, recent] = await Promise.all([
    // Test sends are listed among the recent deliveries, but are not the rule's statistics.
    prisma.delivery.groupBy({ by: ["state"], where: { organizationId, ruleId, createdAt: { gte: since }, isTest: false }, _count: { _all: true } }),
    prisma.delivery.findMany({ where: { organizationId, ruleId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: RECENT_LIMIT, select: listedSelect }),
  ]);
  const counts: Record<DeliveryState, number> = { PENDING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0 };
  for (const g of groups) counts[g.state] = g._count._all;
  const finished = counts.SUCCEEDED + counts.FAILED;
  return { counts, successRate: finished ? counts.SUCCEEDED / finished : null, recent: await listedWithWaiting(prisma, organizationId, recent) };
}
