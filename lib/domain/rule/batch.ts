import { z } from "zod";

// Batches, per rule: the rule's deliveries are sent together, one request for up to maxLeads of
// them, or for those that waited maxSeconds (whichever comes first), as a JSON array of the leads'
// bodies or as CSV with a header row. Each delivery keeps its own outcome. Only for rules whose
// body is a JSON object (the JSON payload format). Stored as WebhookRule.batch; null when off.

export const BATCH_FORMATS = ["json", "csv"] as const;
export type BatchFormat = (typeof BATCH_FORMATS)[number];

export const BATCH_LEADS_MAX = 1000;
export const BATCH_SECONDS_MAX = 86_400;

export const BATCH_MESSAGES = {
  maxLeads: `Enter a whole number of leads from 2 to ${BATCH_LEADS_MAX.toLocaleString("en-US")}.`,
  maxSeconds: `Enter a whole number of seconds from 1 to ${BATCH_SECONDS_MAX.toLocaleString("en-US")}.`,
  format: "Choose JSON or CSV.",
  payloadFormat: "Batches need the JSON payload format: each lead's body must be a JSON object.",
  method: "Batches are sent as one request body: choose POST, PUT or PATCH (a GET request has no body).",
  otherControls: "Batches cannot be combined with caps, a rate limit, duplicate suppression or ordering per lead: turn those off first.",
} as const;

/** The setting as the form and the API hold it (enabled: false is stored as null). */
export const batchSettingSchema = z.strictObject({
  enabled: z.boolean({ error: "Choose whether the rule sends batches." }).default(false).describe("Send the webhook's deliveries in batches, one request per batch."),
  maxLeads: z
    .int({ error: BATCH_MESSAGES.maxLeads })
    .min(2, BATCH_MESSAGES.maxLeads)
    .max(BATCH_LEADS_MAX, BATCH_MESSAGES.maxLeads)
    .default(100)
    .describe("A batch is sent as soon as this many deliveries are waiting."),
  maxSeconds: z
    .int({ error: BATCH_MESSAGES.maxSeconds })
    .min(1, BATCH_MESSAGES.maxSeconds)
    .max(BATCH_SECONDS_MAX, BATCH_MESSAGES.maxSeconds)
    .default(60)
    .describe("…or once the oldest waiting delivery has waited this many seconds, whichever comes first."),
  format: z.enum(BATCH_FORMATS, { error: BATCH_MESSAGES.format }).default("json").describe("json: a JSON array of each lead's body; csv: a header row (the bodies' top-level keys) and one row per lead."),
});
export type BatchSetting = z.output<typeof batchSettingSchema>;

/** What the engine reads: the stored column. */
export type Batch = Omit<BatchSetting, "enabled">;

export const BATCH_OFF: BatchSetting = { enabled: false, maxLeads: 100, maxSeconds: 60, format: "json" };

/** The stored column read back (null or unreadable: null, the rule does not batch). */
export function parseBatch(stored: unknown): Batch | null {
  if (stored === null || stored === undefined) return null;
  const parsed = batchSettingSchema.safeParse({ ...(stored as object), enabled: true });
  return parsed.success ? { maxLeads: parsed.data.maxLeads, maxSeconds: parsed.data.maxSeconds, format: parsed.data.format } : null;
}

/** The setting as the form shows it. */
export function batchFormValues(stored: unknown): BatchSetting {
  const b = parseBatch(stored);
  return b ? { enabled: true, ...b } : BATCH_OFF;
}

/** What is stored for a setting: null when off. */
export function storedBatch({ enabled, ...batch }: BatchSetting): Batch | null {
  return enabled ? batch : null;
}

/**
 * Why the rule cannot send batches as configured (null: it can): the body must be a JSON object,
 * and the controls that decide per delivery at the moment it is sent (caps, the rate limit,
 * duplicate suppression, ordering per lead) are not applied to batches.
 */
export function batchRefusal(rule: { batch: BatchSetting; method: string; payloadFormat: string; limitsSet: boolean; duplicatesOn: boolean; orderedPerLead: boolean }): string | null {
  if (!rule.batch.enabled) return null;
  if (rule.method === "GET") return BATCH_MESSAGES.method;
  if (rule.payloadFormat !== "JSON") return BATCH_MESSAGES.payloadFormat;
  if (rule.limitsSet || rule.duplicatesOn || rule.orderedPerLead) return BATCH_MESSAGES.otherControls;
  return null;
}
