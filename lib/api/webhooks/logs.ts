import { z } from "zod";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import { redactHeaders } from "@/lib/delivery/policy/redact";
import { answerSearch, asParsedError, asResponseValues } from "@/lib/delivery/log/queries";
import { NotFoundError } from "@/lib/core/errors";
import { storableIsoDateTime } from "@/lib/core/storable";
import { withoutCredentials } from "@/lib/security/outbound-url";
import { pageArgs, pageOf, pageQuerySchema } from "../pagination";
import { nextAttemptOf } from "@/lib/domain/rule/circuit";

// GET /api/v1/webhooks/{id}/logs: a webhook's deliveries, newest first, each with every attempt
// (what was sent, with credentials redacted, and what came back).

const DELIVERY_STATES = ["PENDING", "SUCCEEDED", "FAILED", "SKIPPED"] as const;

export const logsQuerySchema = pageQuerySchema.extend({
  state: z.enum(DELIVERY_STATES).optional().describe("Only deliveries in this state."),
  status: z
    .string()
    .regex(/^([1-5]xx|[1-9]\d\d)$/, "Use a status code such as 500, a class such as 5xx, or 999 (no response).")
    .optional()
    .describe("Only deliveries with an attempt that got this status code (e.g. 500), class (5xx), or 999 (no response: DNS, connect, TLS, timeout, blocked)."),
  from: storableIsoDateTime("Use an ISO 8601 time such as 2026-03-01T00:00:00Z.").optional().describe("Deliveries created at or after this time (ISO 8601)."),
  to: storableIsoDateTime("Use an ISO 8601 time such as 2026-03-01T00:00:00Z.").optional().describe("Deliveries created at or before this time (ISO 8601)."),
  answer: z.string().trim().min(1).max(200).optional().describe("Only deliveries whose client's answer (responseValues) has a remoteId, result, reason or price containing this text, in any case."),
});
export type LogsQuery = z.output<typeof logsQuerySchema>;

const iso = () => z.iso.datetime();
const headers = z.record(z.string(), z.string());

export const attemptLogSchema = z.object({
  number: z.int(),
  startedAt: iso(),
  durationMs: z.int(),
  request: z.object({ url: z.string(), method: z.string(), headers: headers.describe("As sent, with credentials redacted.") }),
  response: z.object({
    status: z.int().describe("The HTTP status, or 999 when no response came."),
    headers,
    body: z.string(),
    bodyTruncated: z.boolean().describe("The body was cut at the size limit."),
  }),
  error: z.object({ class: z.string().nullable(), message: z.string().nullable() }).nullable().describe("Why the attempt failed without a response, or what the rules found wrong."),
  parsedError: z.object({ code: z.string().optional(), message: z.string().optional(), field: z.string().optional() }).nullable().describe("What the webhook's error parser extracted."),
});

export const deliveryLogSchema = z.object({
  id: z.string().describe("The delivery id, sent as webhook-id: the same on every attempt and replay."),
  event: z.object({ id: z.string(), type: z.string() }),
  leadId: z.string().nullable(),
  state: z.enum(DELIVERY_STATES),
  url: z.string(),
  method: z.string(),
  requestBody: z.string().describe("The frozen request body; retries and replays send it again unchanged."),
  attemptCount: z.int(),
  nextAttemptAt: iso().nullable(),
  lastStatusCode: z.int().nullable(),
  lastError: z.string().nullable(),
  duplicateOfId: z.string().nullable().describe("SKIPPED as a duplicate: the earlier delivery of the same lead (or email, phone or field). POST /api/v1/deliveries/{id}/send-anyway sends it."),
  batchId: z.string().nullable().describe("Sent in a batch (the webhook sends batches): the batch's id, sent as the request's webhook-id; the batch's other deliveries have the same. null: sent alone."),
  isTest: z.boolean().describe("A test send (from the rule form or POST /api/v1/webhooks/{id}/test): not counted in statistics, health or duplicates."),
  responseValues: z.record(z.string(), z.string()).nullable().describe("What the webhook's response parser extracted: the client's answer (remoteId, result, reason, price…)."),
  parentDeliveryId: z.string().nullable().describe("A chained delivery: the delivery (of another webhook, same event and lead) whose outcome passed the lead to this webhook."),
  chainKind: z.enum(["FALLBACK", "LINKED"]).nullable().describe("FALLBACK: that delivery failed for good (or was skipped by a cap, or the sending window was closed, as its webhook's fallbackOn says); LINKED: it succeeded. null: not chained."),
  createdAt: iso(),
  completedAt: iso().nullable(),
  attempts: z.array(attemptLogSchema),
});

export const logsPageSchema = z.object({ data: z.array(deliveryLogSchema), nextCursor: z.string().nullable() });
export type LogsPage = z.output<typeof logsPageSchema>;

const strings = z.record(z.string(), z.string()).catch({});

function statusFilter(status: string): Prisma.IntFilter {
  const cls = /^([1-5])xx$/.exec(status);
  return cls ? { gte: Number(cls[1]) * 100, lt: Number(cls[1]) * 100 + 100 } : { equals: Number(status) };
}

export async function listWebhookLogs(prisma: PrismaClient, organizationId: string, webhookId: string, q: LogsQuery): Promise<LogsPage> {
  const rule = await prisma.webhookRule.findFirst({ where: { id: webhookId, organizationId }, select: { id: true, pausedUntil: true } });
  if (!rule) throw new NotFoundError("Webhook not found");
  const args = pageArgs(q);
  const where: Prisma.DeliveryWhereInput = {
    AND: [
      { organizationId, ruleId: rule.id },
      args.where,
      q.state ? { state: q.state } : {},
      q.status ? { attempts: { some: { statusCode: statusFilter(q.status) } } } : {},
      q.from ? { createdAt: { gte: new Date(q.from) } } : {},
      q.to ? { createdAt: { lte: new Date(q.to) } } : {},
      q.answer ? { OR: answerSearch(q.answer) } : {},
    ],
  };
  const found = await prisma.delivery.findMany({
    ...args,
    where,
    include: { event: { select: { id: true, type: true } }, attempts: { orderBy: { number: "asc" } } },
  });
  const { rows, nextCursor } = pageOf(found, q);
  const now = new Date();
  return {
    nextCursor,
    data: rows.map((d) => ({
      id: d.id,
      event: d.event,
      leadId: d.leadId,
      state: d.state,
      url: withoutCredentials(d.url), // a password frozen from a URL saved before such URLs were refused is never shown
      method: d.method,
      requestBody: d.requestBody,
      attemptCount: d.attemptCount,
      nextAttemptAt: nextAttemptOf(d, rule, now)?.toISOString() ?? null,
      lastStatusCode: d.lastStatusCode,
      lastError: d.lastError,
      duplicateOfId: d.duplicateOfId,
      batchId: d.batchId,
      isTest: d.isTest,
      responseValues: asResponseValues(d.responseValues),
      parentDeliveryId: d.parentDeliveryId,
      chainKind: d.chainKind,
      createdAt: d.createdAt.toISOString(),
      completedAt: d.completedAt?.toISOString() ?? null,
      attempts: d.attempts.map((a) => ({
        number: a.number,
        startedAt: a.startedAt.toISOString(),
        durationMs: a.durationMs,
        request: { url: withoutCredentials(a.requestUrl), method: a.requestMethod, headers: redactHeaders(strings.parse(a.requestHeaders)) },
        response: { status: a.statusCode, headers: strings.parse(a.responseHeaders), body: a.responseBody, bodyTruncated: a.bodyTruncated },
        error: a.errorClass || a.errorMessage ? { class: a.errorClass, message: a.errorMessage } : null,
        parsedError: asParsedError(a.parsedError) ?? null,
      })),
    })),
  };
}
