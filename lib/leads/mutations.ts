import type { Lead, Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { unstorableTextReason } from "@/lib/core/storable";
import { prepareEvent, recordEvent, writeEvents } from "@/lib/outbox/record-event";
import { handoffPort } from "@/lib/delivery/handoff";
import { organizationConfig, type OrganizationRow } from "@/lib/outbox/organization-config";
import { prismaSql, type Guard, type Sql, type TableRows } from "@/lib/db/sql";
import { newId } from "@/lib/core/ids";
import { getReferenceLists, type ReferenceLists } from "@/lib/reference/queries";
import { LEAD_FIELDS, leadAnswers, type LeadSnapshot } from "@/lib/domain/lead";
import type { CreateLeadInput, NoteInput, UpdateLeadInput } from "./schema";

export function toSnapshot(lead: Lead): LeadSnapshot {
  return {
    id: lead.id, email: lead.email, phone: lead.phone, firstName: lead.firstName, lastName: lead.lastName,
    status: lead.status, substatus: lead.substatus, caseType: lead.caseType, office: lead.office,
    opportunitySource: lead.opportunitySource, marketingSource: lead.marketingSource, caseTrackerCode: lead.caseTrackerCode,
    score: lead.score, customFields: (lead.customFields ?? {}) as Record<string, unknown>,
    createdAt: lead.createdAt.toISOString(), updatedAt: lead.updatedAt.toISOString(),
  };
}

type ReferenceFields = Partial<Pick<CreateLeadInput, "status" | "substatus" | "caseType" | "office" | "opportunitySource" | "marketingSource">>;

/**
 * Reference fields must name an item of the organization's lists (case-insensitive); they are
 * stored in the list's spelling so creation rules match. Unknown names are field errors.
 */
const REFERENCE_KEYS = ["status", "substatus", "caseType", "office", "opportunitySource", "marketingSource"] as const;
const namesReference = (input: ReferenceFields) => REFERENCE_KEYS.some((k) => input[k] !== undefined);

function canonicalReferences(lists: ReferenceLists, input: ReferenceFields, current?: Lead): ReferenceFields {
  if (!namesReference(input)) return {};
  const errors: Record<string, string[]> = {};
  const out: ReferenceFields = {};
  const find = (field: keyof ReferenceFields, options: { name: string }[], label: string) => {
    const value = input[field];
    if (value === undefined) return;
    if (value === null) return void (out[field] = null);
    const hit = options.find((o) => o.name.toLowerCase() === value.toLowerCase());
    if (!hit) errors[field] = [`Unknown ${label} "${value}". Use one of: ${options.map((o) => o.name).join(", ") || "(none defined)"}.`];
    else out[field] = hit.name;
  };
  find("status", lists.statuses, "status");
  find("caseType", lists.caseTypes, "case type");
  find("office", lists.offices, "office");
  find("opportunitySource", lists.opportunitySources, "opportunity source");
  find("marketingSource", lists.marketingSources, "marketing source");
  if (input.substatus !== undefined) {
    const statusName = out.status !== undefined ? out.status : (current?.status ?? null);
    const status = lists.statuses.find((s) => s.name === statusName);
    if (input.substatus === null) out.substatus = null;
    else if (!status) errors.substatus = ["A substatus needs a status."];
    else {
      const hit = status.substatuses.find((s) => s.name.toLowerCase() === input.substatus!.toLowerCase());
      if (!hit) errors.substatus = [`Unknown substatus "${input.substatus}" for status ${status.name}.`];
      else out.substatus = hit.name;
    }
  } else if (out.status !== undefined && current && out.status !== current.status) {
    out.substatus = null; // a new status clears a substatus that belonged to the old one
  }
  if (Object.keys(errors).length) throw new DomainError("Some values are not in your organization's lists.", errors);
  return out;
}

const LEAD_COLUMNS = {
  id: "text", organizationId: "text", email: "text", phone: "text", firstName: "text", lastName: "text", status: "text", substatus: "text",
  caseType: "text", office: "text", opportunitySource: "text", marketingSource: "text", caseTrackerCode: "text", score: "int",
  customFields: "jsonb", createdAt: "timestamp", updatedAt: "timestamp",
} as const;

/**
 * Creates a lead and fires lead.created: the lead, its event, its deliveries and `alongside` (the
 * REST API's idempotency record, so a lead never exists without it) are written in one statement.
 * `organization`: the organization's row, when the caller has it; `guard`: the condition under
 * which that row (and the caller's credentials) still hold, checked by the same statement.
 */
export async function createLead(
  q: Sql,
  organizationId: string,
  input: CreateLeadInput,
  { alongside = () => [], organization, guard }: { alongside?: (lead: Lead) => TableRows[]; organization?: OrganizationRow; guard?: Guard } = {},
) {
  const now = new Date();
  const config = await organizationConfig(q, organizationId, organization);
  const refs = canonicalReferences(config.lists, input);
  const lead: Lead = {
    id: newId("lead"), organizationId, email: input.email ?? null, phone: input.phone ?? null, firstName: input.firstName ?? null, lastName: input.lastName ?? null,
    status: input.status ?? null, substatus: input.substatus ?? null, caseType: input.caseType ?? null, office: input.office ?? null,
    opportunitySource: input.opportunitySource ?? null, marketingSource: input.marketingSource ?? null, ...refs,
    caseTrackerCode: input.caseTrackerCode ?? null, score: input.score ?? null, customFields: (input.customFields ?? {}) as Prisma.JsonValue, answers: {}, createdAt: now, updatedAt: now,
  };
  const after = alongside(lead);
  // Not within a transaction the caller holds (the hand-off starts sending once this statement
  // commits); slots reserved here are given back by writeEvents if the write fails.
  const event = prepareEvent(config, { organizationId, type: "lead.created", lead: toSnapshot(lead) }, now, q.shared ? handoffPort() : null);
  await writeEvents(q, [event], [{ table: "Lead", columns: LEAD_COLUMNS, rows: [lead] }], after, guard);
  const { eventId, deliveryIds, deliveries, webhooksEnabled, handedIds } = event.recorded;
  return { lead, eventIds: [eventId], deliveryIds, deliveries, webhooksEnabled, handedIds };
}

export async function getLead(prisma: Pick<PrismaClient, "lead">, organizationId: string, leadId: string): Promise<Lead> {
  if (unstorableTextReason(leadId)) throw new NotFoundError("Lead not found"); // /leads/%00: no such id, not a database error
  const lead = await prisma.lead.findFirst({ where: { id: leadId, organizationId } });
  if (!lead) throw new NotFoundError("Lead not found");
  return lead;
}

/** Updates a lead; fires lead.updated, and lead.status_changed too when status or substatus changed. */
export async function updateLead(prisma: PrismaClient, organizationId: string, leadId: string, input: UpdateLeadInput) {
  const before = await getLead(prisma, organizationId, leadId);
  const refs = namesReference(input) ? canonicalReferences(await getReferenceLists(prisma, organizationId), input, before) : {};
  const data = { ...input, ...refs };
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of LEAD_FIELDS) {
    if (data[field] === undefined) continue; // absent: not part of this update
    const to = data[field];
    const from = before[field];
    if (JSON.stringify(from ?? null) !== JSON.stringify(to ?? null)) changes[field] = { from: from ?? null, to: to ?? null };
  }
  return prisma.$transaction(async (tx) => {
    if (!Object.keys(changes).length) return { lead: before, eventIds: [] as string[], deliveryIds: [] as string[], changes };
    const lead = await tx.lead.update({
      where: { id: before.id },
      data: { ...data, customFields: data.customFields === undefined ? undefined : (data.customFields as Prisma.InputJsonValue) },
    });
    const snapshot = toSnapshot(lead);
    const answers = leadAnswers(lead.answers);
    const updated = await recordEvent(prismaSql(tx), { organizationId, type: "lead.updated", lead: snapshot, answers, changes });
    const eventIds = [updated.eventId];
    const deliveryIds = [...updated.deliveryIds];
    if (changes.status || changes.substatus) {
      const statusChanges = Object.fromEntries(Object.entries(changes).filter(([k]) => k === "status" || k === "substatus"));
      const sc = await recordEvent(prismaSql(tx), { organizationId, type: "lead.status_changed", lead: snapshot, answers, changes: statusChanges });
      eventIds.push(sc.eventId);
      deliveryIds.push(...sc.deliveryIds);
    }
    return { lead, eventIds, deliveryIds, changes };
  });
}

export async function addNote(prisma: PrismaClient, organizationId: string, leadId: string, input: NoteInput) {
  const lead = await getLead(prisma, organizationId, leadId);
  return prisma.$transaction(async (tx) => {
    const note = await tx.leadNote.create({ data: { id: newId("note"), leadId: lead.id, body: input.body, author: input.author ?? null } });
    const { eventId, deliveryIds, webhooksEnabled } = await recordEvent(prismaSql(tx), {
      organizationId,
      type: "lead.note_added",
      lead: toSnapshot(lead),
      answers: leadAnswers(lead.answers),
      note: { id: note.id, body: note.body, author: note.author, createdAt: note.createdAt.toISOString() },
    });
    return { note, eventIds: [eventId], deliveryIds, webhooksEnabled };
  });
}
