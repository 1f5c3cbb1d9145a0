import { z } from "zod";
import { REPLAY_STATES } from "@/lib/delivery/log/requeue";
import { EVENT_TYPES, samplePayload } from "@/lib/domain/event-types";
import { storableIsoDateTime } from "@/lib/core/storable";
import { eventEnvelopeSchema } from "../lead-schemas";

// Bodies and answers of the delivery operations (retry, bulk replay) and of the event catalogue.

const time = (what: string) => storableIsoDateTime("Use an ISO 8601 time such as 2026-03-01T00:00:00Z.").describe(what);

export const replayBodySchema = z
  .strictObject({
    webhookId: z.string().trim().min(1).max(100).optional().describe("Only this webhook's deliveries; omitted: every webhook of the organization."),
    from: time("Deliveries created at or after this time (ISO 8601)."),
    to: time("Deliveries created at or before this time (ISO 8601)."),
    states: z
      .array(z.enum(REPLAY_STATES))
      .min(1)
      .max(REPLAY_STATES.length)
      .optional()
      .describe("Which deliveries to send again (default FAILED and SKIPPED; add SUCCEEDED to re-send those too)."),
  })
  .refine((b) => new Date(b.from).getTime() <= new Date(b.to).getTime(), { path: ["to"], message: "The end must be after the start." });

export const replayResultSchema = z.object({ count: z.int().describe("How many deliveries were queued again.") });

export const retryResultSchema = z.object({
  id: z.string(),
  state: z.literal("PENDING").describe("Queued: the frozen request is sent again under the same delivery id."),
});

export const eventTypeSchema = z.object({
  name: z.string().describe("What to list in a webhook's events."),
  label: z.string(),
  description: z.string(),
  creationRules: z.boolean().describe("Whether a webhook's creation rules filter the leads of this event."),
  samplePayload: eventEnvelopeSchema.describe("A sample delivery body in the default JSON format."),
});

export const eventTypesSchema = z.object({ data: z.array(eventTypeSchema) });

/** The catalogue with a sample body each, for the organization asking. */
export function eventTypes(organization: { id: string; name: string }): z.output<typeof eventTypesSchema> {
  return {
    data: EVENT_TYPES.map((e) => ({ name: e.name, label: e.label, description: e.description, creationRules: e.creationRules, samplePayload: samplePayload(e.name, organization) })),
  };
}
