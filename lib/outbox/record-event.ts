import { insertAll, utc, writeAll, type Guard, type Reading, type Sql, type TableRows } from "@/lib/db/sql";
import type { EventEnvelope } from "@/lib/domain/event";
import { freezeDelivery, type DeliveryKeys } from "./freeze";
import { creationRulesMismatch } from "./match";
import { newId } from "@/lib/core/ids";
import { hostOf } from "@/lib/core/url";
import { leadAnswers, type LeadAnswers, type LeadSnapshot } from "@/lib/domain/lead";
import { organizationConfig, type CachedRule, type OrganizationConfig } from "./organization-config";
import type { RuleRequest } from "@/lib/domain/rule";
import type { ChainLink } from "@/lib/delivery/policy/chain";
import type { HandoffPort } from "@/lib/delivery/handoff";
import type { Claimed } from "@/lib/delivery/engine/claim";

// The transactional outbox: an event is recorded with one delivery per enabled rule of the
// organization whose trigger and creation rules match, in the same statement (or transaction) as
// the change that caused it. Each request is rendered now and frozen on its delivery.

export interface NewEvent {
  organizationId: string;
  type: string;
  lead: LeadSnapshot | null;
  /** The lead's kept client answers (Lead.answers), for templates; not sent as such. */
  answers?: LeadAnswers;
  note?: EventEnvelope["data"]["note"];
  changes?: EventEnvelope["data"]["changes"];
}

export interface RecordedEvent {
  eventId: string;
  deliveryIds: string[];
  /** The delivery created for each matching rule. */
  deliveries: { id: string; ruleId: string; ruleTitle: string }[];
  /** The organization's switch as this transaction read it (off: no deliveries, whatever the rules). */
  webhooksEnabled: boolean;
  /** The deliveries handed to this process's dispatcher once written (none are left to be claimed); filled in by writeEvents. */
  handedIds?: ReadonlySet<string>;
}

/** An event ready to be written: its row, its deliveries' rows, and what the caller is told. */
export interface PreparedEvent {
  rows: TableRows[];
  recorded: RecordedEvent;
  /** Deliveries written leased to `port`'s dispatcher, each holding a slot reserved there. */
  handoff?: { port: HandoffPort; deliveries: Claimed[] };
}

const EVENT_COLUMNS = { id: "text", organizationId: "text", leadId: "text", type: "text", payload: "jsonb", createdAt: "timestamp" } as const;
const DELIVERY_COLUMNS = {
  id: "text", organizationId: "text", ruleId: "text", eventId: "text", leadId: "text", state: "enum:DeliveryState", url: "text", host: "text", method: "text",
  requestHeaders: "jsonb", requestBody: "text", nextAttemptAt: "timestamp", skipKind: "enum:SkipKind", lastError: "text", completedAt: "timestamp",
  createdAt: "timestamp", updatedAt: "timestamp",
} as const;

// A delivery handed to this process's dispatcher is written leased to it, unless its rule is
// paused (by the circuit breaker of any process) when the statement runs: it is then written
// unleased, and claimed once the pause ends. The statement reads back which ones it leased, with
// their rule's streak of failures and switch as they are now (neither is in the cached settings).
const NOT_PAUSED = `NOT EXISTS (SELECT 1 FROM "WebhookRule" r WHERE r.id = x."ruleId" AND r."pausedUntil" > ${utc('x."createdAt"')})`;
const HANDED_COLUMNS = { ...DELIVERY_COLUMNS, leaseOwner: "text", leaseExpiresAt: "timestamp" } as const;
const HANDED_EXPRESSIONS = {
  leaseOwner: `CASE WHEN x."leaseOwner" IS NOT NULL AND ${NOT_PAUSED} THEN x."leaseOwner" END`,
  leaseExpiresAt: `CASE WHEN x."leaseOwner" IS NOT NULL AND ${NOT_PAUSED} THEN ${utc('x."leaseExpiresAt"')} END`,
};
const LEASED_READING: Reading = {
  text: (cte) => `SELECT json_agg(json_build_array(d.id, r."consecutiveFailures", r.enabled))
                  FROM ${cte("Delivery")} d JOIN "WebhookRule" r ON r.id = d."ruleId" WHERE d."leaseOwner" IS NOT NULL`,
};
type LeasedRow = [id: string, consecutiveFailures: number, ruleEnabled: boolean];

/** A new delivery of rule `r`, rendered from `envelope` and frozen (PENDING unless freezing says otherwise). */
function deliveryRow(r: CachedRule, keys: Omit<DeliveryKeys, "id" | "ruleId">, envelope: EventEnvelope, now: Date, request: RuleRequest, answers?: LeadAnswers) {
  const frozen = freezeDelivery({ id: newId("dlv"), ruleId: r.id, ...keys }, r.row, envelope, now, request, answers);
  // A rule that passes the lead to its fallback outside its sending window: due now, so the
  // dispatcher finds the window closed and passes it on, rather than when the window opens.
  const due = r.windowFallback && frozen.nextAttemptAt ? { nextAttemptAt: now, lastError: null } : {};
  return { state: "PENDING", ...frozen, ...due, host: hostOf(frozen.url), updatedAt: now };
}

/**
 * Builds an event and its deliveries from the organization's configuration (read by the caller in
 * the same transaction, or here): one PENDING delivery per matching rule, SKIPPED when the rule's
 * conditions turn the lead away, FAILED when its request cannot be rendered. With the
 * organization's webhooks switched off the event is still recorded, with no delivery.
 */
export function prepareEvent(config: OrganizationConfig, input: NewEvent, now = new Date(), port: HandoffPort | null = null): PreparedEvent {
  const eventId = newId("evt");
  const envelope: EventEnvelope = {
    id: eventId,
    type: input.type,
    timestamp: now.toISOString(),
    organization: { id: config.id, name: config.name },
    data: { lead: input.lead, ...(input.note ? { note: input.note } : {}), ...(input.changes ? { changes: input.changes } : {}) },
  };
  const leadId = input.lead?.id ?? null;
  const event = { id: eventId, organizationId: config.id, leadId, type: input.type, payload: envelope, createdAt: now };
  const matching = config.webhooksEnabled
    ? config.rules.filter((r) => r.events.includes(input.type) && (!input.lead || creationRulesMismatch(input.type, r.creationRules, input.lead) === null))
    : [];
  const deliveries = matching.map((r) => deliveryRow(r, { organizationId: config.id, eventId, leadId }, envelope, now, r.request(), input.answers));
  const handed = port ? handOff(port, config, matching, deliveries, now) : [];
  return {
    rows: [
      { table: "Event", columns: EVENT_COLUMNS, rows: [event] },
      handed.length
        ? { table: "Delivery", columns: HANDED_COLUMNS, rows: deliveries, expressions: HANDED_EXPRESSIONS, returning: `id, "ruleId", "leaseOwner"` }
        : { table: "Delivery", columns: DELIVERY_COLUMNS, rows: deliveries },
    ],
    recorded: {
      eventId,
      deliveryIds: deliveries.map((d) => d.id),
      deliveries: deliveries.map((d, i) => ({ id: d.id, ruleId: d.ruleId, ruleTitle: matching[i]!.title })),
      webhooksEnabled: config.webhooksEnabled,
    },
    ...(port && handed.length ? { handoff: { port, deliveries: handed } } : {}),
  };
}

/**
 * Marks the deliveries `port`'s dispatcher has room for as leased to it (their rows, in place) and
 * returns them as it will send them: due now, of a rule that needs nothing but a slot.
 */
function handOff(port: HandoffPort, config: OrganizationConfig, rules: readonly CachedRule[], rows: ReturnType<typeof deliveryRow>[], now: Date): Claimed[] {
  const handed: Claimed[] = [];
  rows.forEach((row, i) => {
    const sending = rules[i]!.sending;
    if (!sending || row.state !== "PENDING" || (row.nextAttemptAt && row.nextAttemptAt.getTime() > now.getTime())) return;
    if (!port.reserve(row.ruleId, row.host)) return;
    Object.assign(row, { leaseOwner: port.owner, leaseExpiresAt: new Date(now.getTime() + port.leaseMs) });
    handed.push({
      id: row.id, organizationId: row.organizationId, ruleId: row.ruleId, url: row.url, method: row.method, requestHeaders: row.requestHeaders as Record<string, string>,
      requestBody: row.requestBody, attemptCount: 0, host: row.host, capCounted: false, ...sending,
      // Read again by the statement that writes it (writeEvents):
      consecutiveFailures: 0, ruleEnabled: true,
      webhooksEnabled: config.webhooksEnabled, configVersion: config.version, duplicateSuppression: null, deliveryLimits: null,
    });
  });
  return handed;
}

/**
 * Writes `before` (the change that caused the events, e.g. the new lead), then the events and
 * their deliveries, in one statement: all of it is stored, or none.
 */
export async function writeEvents(q: Sql, events: readonly PreparedEvent[], before: readonly TableRows[] = [], after: readonly TableRows[] = [], guard?: Guard): Promise<void> {
  const handoffs = events.filter((e) => e.handoff);
  if (!handoffs.length) {
    await insertAll(q, [...before, ...events.flatMap((e) => e.rows), ...after], guard);
    return;
  }
  let leased: Map<string, LeasedRow>;
  try {
    const { read } = await writeAll(q, [...before, ...events.flatMap((e) => e.rows), ...after], guard, LEASED_READING);
    leased = new Map(((read ?? []) as LeasedRow[]).map((row) => [row[0], row]));
  } catch (err) {
    for (const e of handoffs) e.handoff!.deliveries.forEach((d) => e.handoff!.port.release(d.ruleId, d.host));
    throw err;
  }
  for (const e of handoffs) {
    const { port, deliveries } = e.handoff!;
    const started: Claimed[] = [];
    for (const d of deliveries) {
      const row = leased.get(d.id);
      if (!row) port.release(d.ruleId, d.host); // its rule was paused: written unleased, for the claim
      else started.push({ ...d, consecutiveFailures: row[1], ruleEnabled: row[2] });
    }
    if (started.length && (await port.start(started))) e.recorded.handedIds = new Set(started.map((d) => d.id));
  }
}

/** Records one event (and its deliveries) through `q`, which may be a transaction the caller holds. */
export async function recordEvent(q: Sql, input: NewEvent, now = new Date()): Promise<RecordedEvent> {
  const prepared = prepareEvent(await organizationConfig(q, input.organizationId), input, now);
  await writeEvents(q, [prepared]);
  return prepared.recorded;
}

const TEST_DELIVERY_COLUMNS = { ...DELIVERY_COLUMNS, isTest: "boolean", attemptCount: "int", lastStatusCode: "int", responseValues: "jsonb" } as const;

/**
 * A test send (lib/rules/test-send.ts), written once it has ended: its event and its delivery,
 * marked isTest and never queued, then `after` (its attempt), in one statement.
 */
export async function writeTestSend(
  q: Sql,
  event: { id: string; organizationId: string; type: string; payload: EventEnvelope; createdAt: Date },
  delivery: Record<keyof typeof TEST_DELIVERY_COLUMNS, unknown>,
  after: readonly TableRows[],
): Promise<void> {
  await insertAll(q, [
    { table: "Event", columns: EVENT_COLUMNS, rows: [{ ...event, leadId: null }] },
    { table: "Delivery", columns: TEST_DELIVERY_COLUMNS, rows: [delivery] },
    ...after,
  ]);
}

const CHAINED_COLUMNS = { ...DELIVERY_COLUMNS, parentDeliveryId: "text", chainKind: "enum:ChainKind" } as const;

interface ParentRow {
  id: string;
  organizationId: string;
  ruleId: string;
  eventId: string;
  leadId: string | null;
  payload: EventEnvelope;
  answers: unknown;
}

/**
 * The deliveries fallback and linked rules get (lib/delivery/policy/chain.ts), as rows for the
 * engine to write in the same statement as the outcomes that passed the lead on: each a delivery
 * of the same event and lead, rendered for its rule like any other (its conditions and trigger
 * set aside: the chain is the admin's choice; its sending window kept). A rule that is disabled or
 * gone, or an organization whose webhooks are off, gets nothing. A LINKED delivery's templates see
 * the answer the parent's response rules just extracted. Null when there is nothing to write.
 */
export async function prepareChained(q: Sql, links: readonly ChainLink[], now: Date): Promise<TableRows | null> {
  const parents = await q.query<ParentRow>(
    `SELECT d.id, d."organizationId", d."ruleId", d."eventId", d."leadId", e.payload, l.answers
     FROM "Delivery" d JOIN "Event" e ON e.id = d."eventId" LEFT JOIN "Lead" l ON l.id = d."leadId"
     WHERE d.id = ANY($1::text[])`,
    [links.map((l) => l.parentDeliveryId)],
  );
  const byId = new Map(parents.map((p) => [p.id, p]));
  const configs = new Map<string, Promise<OrganizationConfig>>();
  const configOf = (id: string) => configs.get(id) ?? configs.set(id, organizationConfig(q, id)).get(id)!;
  const rows = [];
  for (const link of links) {
    const parent = byId.get(link.parentDeliveryId);
    if (!parent) continue;
    const config = await configOf(parent.organizationId);
    const rule = config.webhooksEnabled ? config.rules.find((r) => r.id === link.ruleId) : undefined;
    if (!rule) continue;
    const answers = leadAnswers(parent.answers);
    if (link.kind === "LINKED" && link.responseValues) answers[parent.ruleId] = link.responseValues;
    const request: RuleRequest = { ...rule.request(), conditions: { match: "all", items: [] } };
    const keys = { organizationId: parent.organizationId, eventId: parent.eventId, leadId: parent.leadId };
    rows.push({ ...deliveryRow(rule, keys, parent.payload, now, request, answers), parentDeliveryId: parent.id, chainKind: link.kind });
  }
  return rows.length ? { table: "Delivery", columns: CHAINED_COLUMNS, rows, skipDuplicates: true } : null;
}
