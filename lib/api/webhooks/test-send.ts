import { z } from "zod";

// POST /api/v1/webhooks/{id}/test: what it takes and what it answers (lib/rules/test-send.ts sends).

export const testSendBodySchema = z
  .strictObject({
    leadId: z.string().trim().max(100).nullish().describe("One of your leads (lead_…) to send; omitted: the sample lead."),
    url: z.string().trim().max(2048).nullish().describe("Send to this URL instead of the webhook's (the same URL rules apply: https://, public addresses only)."),
  })
  .prefault({});

const headers = z.record(z.string(), z.string());

export const testSendResultSchema = z.object({
  deliveryId: z.string().describe("The test delivery, shown in the logs with isTest: true."),
  request: z.object({ url: z.string(), method: z.string(), headers: headers.describe("As sent, credentials redacted; Leadhooks-Test: true is added."), body: z.string() }),
  response: z.object({
    status: z.int().describe("The HTTP status, or 999 when no response came."),
    headers,
    body: z.string(),
    bodyTruncated: z.boolean(),
    durationMs: z.int(),
    error: z.string().nullable().describe("Why no response came (DNS, connect, TLS, timeout, blocked address)."),
  }),
  outcome: z
    .object({
      success: z.boolean(),
      state: z.enum(["SUCCEEDED", "FAILED"]),
      reason: z.string().nullable().describe("Why the response rules refused it."),
      values: z.record(z.string(), z.string()).nullable().describe("What the response parser extracted."),
      title: z.string(),
      detail: z.string(),
    })
    .describe("What the webhook's response rules concluded. A test is sent once: it is never retried."),
});
