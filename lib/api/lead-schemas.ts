import { z } from "zod";
import { webhooksNoticeShape } from "./organization";

// The shapes the leads API answers with, for the OpenAPI document (request bodies are documented
// from lib/leads/schema.ts, which the routes parse with). tests/integration/openapi.test.ts checks
// real answers against these, so the document cannot drift from what the routes return.

const iso = () => z.iso.datetime();
const text = () => z.string().nullable();

export const leadSnapshotSchema = z.object({
  id: z.string(),
  email: text(),
  phone: text(),
  firstName: text(),
  lastName: text(),
  status: text(),
  substatus: text(),
  caseType: text(),
  office: text(),
  opportunitySource: text(),
  marketingSource: text(),
  caseTrackerCode: text(),
  score: z.int().nullable(),
  customFields: z.record(z.string(), z.unknown()),
  createdAt: iso(),
  updatedAt: iso(),
});

export const leadNoteSchema = z.object({ id: z.string(), body: z.string(), author: text(), createdAt: iso() });

export const noteCreatedSchema = leadNoteSchema.extend({ leadId: z.string(), ...webhooksNoticeShape });

export const leadWebhookOutcomeSchema = z
  .object({
    ruleId: z.string(),
    ruleTitle: z.string(),
    deliveryId: z.string(),
    event: z.string(),
    state: z.enum(["PENDING", "SUCCEEDED", "FAILED", "SKIPPED"]),
    attempts: z.int(),
    lastStatusCode: z.int().nullable(),
    lastError: text(),
    nextAttemptAt: iso().nullable(),
    updatedAt: iso(),
  })
  .describe("The latest delivery of the lead to one webhook rule.");

export const leadResourceSchema = leadSnapshotSchema.extend({
  notes: z.array(leadNoteSchema),
  webhooks: z.array(leadWebhookOutcomeSchema),
  ...webhooksNoticeShape,
});

/** The body of every delivery in the default JSON format (the event envelope). */
export const eventEnvelopeSchema = z.object({
  id: z.string().describe("The event id."),
  type: z.string(),
  timestamp: iso(),
  organization: z.object({ id: z.string(), name: z.string() }),
  data: z.object({
    lead: leadSnapshotSchema.nullable(),
    note: z.object({ id: z.string(), body: z.string(), author: text(), createdAt: iso() }).optional().describe("lead.note_added: the note."),
    changes: z
      .record(z.string(), z.object({ from: z.unknown(), to: z.unknown() }))
      .optional()
      .describe("lead.updated and lead.status_changed: each changed field's value before and after."),
  }),
});
