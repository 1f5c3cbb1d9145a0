import type { z } from "zod";
import { createLeadSchema, noteSchema, updateLeadSchema } from "@/lib/leads/schema";
import { leadResourceSchema, noteCreatedSchema } from "./lead-schemas";
import { organizationPatchSchema, organizationResourceSchema } from "./organization";
import { pageQuerySchema } from "./pagination";
import { logsPageSchema, logsQuerySchema } from "./webhooks/logs";
import { testSendBodySchema, testSendResultSchema } from "./webhooks/test-send";
import { eventTypesSchema, replayBodySchema, replayResultSchema, retryResultSchema } from "./webhooks/operations";
import {
  deleteQuerySchema,
  secretRotatedSchema,
  webhookCreatedSchema,
  webhookCreateSchema,
  webhookListSchema,
  webhookPatchSchema,
  webhookSchema,
} from "./webhooks/schema";

// Every route of /api/v1, with the schemas its handler parses and answers with. The OpenAPI
// document (./openapi.ts) and the API reference page are built from this list, and
// tests/integration/openapi.test.ts fails when a route file and this list disagree.

export type ErrorStatus = 400 | 401 | 404 | 409 | 413 | 422 | 429 | 503;

export const ERROR_RESPONSES: Record<ErrorStatus, { name: string; description: string }> = {
  400: { name: "BadRequest", description: "The body is not JSON (malformed_json) or a query parameter is invalid (invalid_query, with fields)." },
  401: { name: "Unauthorized", description: "Missing, unknown or revoked API key (unauthorized)." },
  404: { name: "NotFound", description: "No such resource in the API key's organization (not_found)." },
  409: { name: "Conflict", description: "The resource's state does not allow this." },
  413: { name: "PayloadTooLarge", description: "The body is larger than 1 MB (payload_too_large)." },
  422: { name: "ValidationFailed", description: "Some fields are invalid (validation_failed); fields lists them with their messages. This includes values that cannot be kept as sent: numbers a 64-bit float cannot hold exactly (send them as strings), text with NUL or lone surrogates, times outside 0001–9999." },
  429: { name: "RateLimited", description: "Too many requests for this API key (rate_limited). Wait Retry-After seconds." },
  503: { name: "DatabaseUnavailable", description: "The database is restarting or unreachable (database_unavailable). Nothing was stored: send the same request again after Retry-After seconds (with an Idempotency-Key, a lead is never created twice)." },
};

export interface ApiOperation {
  method: "get" | "post" | "patch" | "delete";
  path: string;
  tag: "Leads" | "Webhooks" | "Deliveries" | "Event types" | "Organization" | "Reference";
  operationId: string;
  summary: string;
  description?: string;
  /** false: no API key needed. */
  auth?: false;
  pathParams?: Record<string, string>;
  query?: z.ZodObject;
  headers?: { name: string; description: string }[];
  body?: { name: string; schema: z.ZodType; example?: unknown };
  success: { status: number; description: string; name?: string; schema?: z.ZodType; headers?: Record<string, unknown> };
  /** Besides 400, 401, 429 and 503, which every authenticated route can answer. */
  errors?: ErrorStatus[];
  errorDescriptions?: Partial<Record<ErrorStatus, string>>;
}

const BODY_ERRORS: ErrorStatus[] = [400, 413, 422];
const location = { Location: { description: "The new resource's path.", schema: { type: "string" } } };

const exampleWebhook = {
  title: "Acme CRM",
  url: "https://crm.example.com/hooks/leads",
  events: ["lead.created", "lead.status_changed"],
  creationRules: { status: "New", caseTypes: ["Personal Injury"] },
  authentication: { type: "BEARER", token: "crm-api-token" },
  request: { mapping: { mode: "custom", fields: [{ target: "email", source: "field", value: "lead.email" }, { target: "name.first", source: "field", value: "lead.firstName" }] } },
  response: { successStatuses: "2xx" },
};

export const API_OPERATIONS: ApiOperation[] = [
  {
    method: "post", path: "/api/v1/leads", tag: "Leads", operationId: "createLead", summary: "Create a lead",
    description: "Creates a lead and fires lead.created to every matching webhook. Reference fields (status, substatus, caseType, office, sources) must name items of the organization's lists. Send an Idempotency-Key to make retries safe: a repeat with the same key and body returns the first answer (Idempotent-Replayed: true).",
    headers: [{ name: "Idempotency-Key", description: "1–255 printable ASCII characters; a repeated request with the same key returns the first result." }],
    body: { name: "LeadCreate", schema: createLeadSchema, example: { email: "jane@example.com", firstName: "Jane", status: "New", customFields: { region: "northeast" } } },
    success: { status: 201, description: "The lead, with the webhooks its event was queued for (none while the organization's Enable Webhooks is off: then webhooksEnabled is false and warning says so).", name: "Lead", schema: leadResourceSchema, headers: location },
    errors: BODY_ERRORS,
  },
  {
    method: "get", path: "/api/v1/leads/{id}", tag: "Leads", operationId: "getLead", summary: "Get a lead",
    description: "The lead with its notes and, per webhook rule, the outcome of its latest delivery.",
    pathParams: { id: "The lead id (lead_…)." },
    success: { status: 200, description: "The lead.", name: "Lead", schema: leadResourceSchema },
    errors: [404],
  },
  {
    method: "patch", path: "/api/v1/leads/{id}", tag: "Leads", operationId: "updateLead", summary: "Update a lead",
    description: "Changes the fields sent and fires lead.updated (and lead.status_changed when the status or substatus changed).",
    pathParams: { id: "The lead id (lead_…)." },
    body: { name: "LeadUpdate", schema: updateLeadSchema, example: { status: "Qualified" } },
    success: { status: 200, description: "The lead after the change.", name: "Lead", schema: leadResourceSchema },
    errors: [...BODY_ERRORS, 404],
  },
  {
    method: "post", path: "/api/v1/leads/{id}/notes", tag: "Leads", operationId: "addLeadNote", summary: "Add a note to a lead",
    description: "Adds a note and fires lead.note_added.",
    pathParams: { id: "The lead id (lead_…)." },
    body: { name: "NoteCreate", schema: noteSchema, example: { body: "Called back, left a voicemail.", author: "Sam Rivera" } },
    success: { status: 201, description: "The note.", name: "Note", schema: noteCreatedSchema },
    errors: [...BODY_ERRORS, 404],
  },
  {
    method: "get", path: "/api/v1/webhooks", tag: "Webhooks", operationId: "listWebhooks", summary: "List webhooks",
    description: "The organization's webhooks (rules), newest first. Page with ?cursor=<nextCursor> or ?page=.",
    query: pageQuerySchema,
    success: { status: 200, description: "One page of webhooks.", name: "WebhookList", schema: webhookListSchema },
    errors: [400],
  },
  {
    method: "post", path: "/api/v1/webhooks", tag: "Webhooks", operationId: "createWebhook", summary: "Create a webhook",
    description: "Creates a webhook with the same rules as the admin's rule form. The answer includes the webhook's own signing secret (whsec_…), shown this once: deliveries are signed with it (Standard Webhooks by default), not with the organization's key. The URL must be https:// (unless the server allows insecure URLs) and its host must resolve to a public address.",
    body: { name: "WebhookCreate", schema: webhookCreateSchema, example: exampleWebhook },
    success: { status: 201, description: "The webhook, with its signing secret.", name: "WebhookCreated", schema: webhookCreatedSchema, headers: location },
    errors: BODY_ERRORS,
  },
  {
    method: "get", path: "/api/v1/webhooks/{id}", tag: "Webhooks", operationId: "getWebhook", summary: "Get a webhook",
    description: "Everything the rule form edits. Authentication secrets are never returned: secretsSet lists which are stored.",
    pathParams: { id: "The webhook id (rule_…)." },
    success: { status: 200, description: "The webhook.", name: "Webhook", schema: webhookSchema },
    errors: [404],
  },
  {
    method: "patch", path: "/api/v1/webhooks/{id}", tag: "Webhooks", operationId: "updateWebhook", summary: "Update a webhook",
    description: "Send only what changes: the body is merged over the current values (objects key by key; arrays and retryPolicy replaced whole) and the result is validated like the edit form. An empty or omitted secret keeps the stored one. Setting enabled to true clears an automatic disable.",
    pathParams: { id: "The webhook id (rule_…)." },
    body: { name: "WebhookUpdate", schema: webhookPatchSchema, example: { url: "https://crm.example.com/v2/leads", request: { format: "FORM" } } },
    success: { status: 200, description: "The webhook after the change.", name: "Webhook", schema: webhookSchema },
    errors: [...BODY_ERRORS, 404],
  },
  {
    method: "delete", path: "/api/v1/webhooks/{id}", tag: "Webhooks", operationId: "deleteWebhook", summary: "Delete a webhook",
    description: "Deletes the webhook and its delivery history. An enabled webhook is refused with 409 webhook_enabled, as in the admin: disable it first (PATCH {\"enabled\": false}) or pass ?force=true. A webhook other webhooks name as their fallback or linked webhook is refused with 409 webhook_in_chain.",
    pathParams: { id: "The webhook id (rule_…)." },
    query: deleteQuerySchema,
    success: { status: 204, description: "Deleted." },
    errors: [400, 404, 409],
    errorDescriptions: { 409: "The webhook is enabled (webhook_enabled): disable it first or pass ?force=true. Or other webhooks name it as their fallback or linked webhook (webhook_in_chain, even with force): choose another there first." },
  },
  {
    method: "get", path: "/api/v1/webhooks/{id}/logs", tag: "Webhooks", operationId: "listWebhookLogs", summary: "Delivery logs of a webhook",
    description: "The webhook's deliveries, newest first, each with every attempt: the request as sent (credentials redacted), the response (status 999 when none came), timing and errors.",
    pathParams: { id: "The webhook id (rule_…)." },
    query: logsQuerySchema,
    success: { status: 200, description: "One page of deliveries.", name: "DeliveryLogPage", schema: logsPageSchema },
    errors: [400, 404],
  },
  {
    method: "post", path: "/api/v1/webhooks/{id}/test", tag: "Webhooks", operationId: "sendTestLead", summary: "Send a test lead",
    description: "Sends the sample lead (or one of your leads) through the webhook now, as a real delivery is sent (rendered, authenticated, signed, judged by the response rules), to its URL or to a test URL, once. Answers with the request (credentials redacted), the response and what the response rules concluded. The request carries Leadhooks-Test: true; it is logged as a test delivery and never counts in statistics, health, duplicates or error reports.",
    pathParams: { id: "The webhook id (rule_…)." },
    body: { name: "TestSendRequest", schema: testSendBodySchema, example: { url: "https://hooks.example.com/test" } },
    success: { status: 200, description: "What was sent and what came back.", name: "TestSendResult", schema: testSendResultSchema },
    errors: [...BODY_ERRORS, 404],
  },
  {
    method: "post", path: "/api/v1/webhooks/{id}/rotate-secret", tag: "Webhooks", operationId: "rotateWebhookSecret", summary: "Rotate a webhook's signing secret",
    description: "Creates a new signing secret, returned once. For 24 hours deliveries carry signatures with both the new and the previous secret, so the receiver can switch without losing any. A webhook that signed with the organization's key gets its own secret (the organization's key keeps signing for 24 hours).",
    pathParams: { id: "The webhook id (rule_…)." },
    success: { status: 200, description: "The new secret.", name: "SecretRotated", schema: secretRotatedSchema },
    errors: [404],
  },
  {
    method: "post", path: "/api/v1/deliveries/{id}/retry", tag: "Deliveries", operationId: "retryDelivery", summary: "Retry a delivery",
    description: "Queues the delivery to be sent again now: the same frozen request under the same delivery id (webhook-id), so the receiver can deduplicate. No lead or event is created.",
    pathParams: { id: "The delivery id (dlv_…), as in the logs and the webhook-id header." },
    success: { status: 202, description: "Queued.", name: "RetryQueued", schema: retryResultSchema },
    errors: [404],
  },
  {
    method: "post", path: "/api/v1/deliveries/{id}/send-anyway", tag: "Deliveries", operationId: "sendDeliveryAnyway", summary: "Send a skipped duplicate anyway",
    description: "Queues a delivery that was SKIPPED as a duplicate (duplicateOfId is set) to be sent now, without the duplicate check for this send. A retry of such a delivery is checked again.",
    pathParams: { id: "The delivery id (dlv_…)." },
    success: { status: 202, description: "Queued.", name: "SendAnywayQueued", schema: retryResultSchema },
    errors: [404, 422],
    errorDescriptions: { 422: "The delivery was not skipped as a duplicate." },
  },
  {
    method: "post", path: "/api/v1/deliveries/replay", tag: "Deliveries", operationId: "replayDeliveries", summary: "Replay deliveries of a time window",
    description: "Queues again every delivery of a webhook (or of every webhook) created in the window, by default those that FAILED or were SKIPPED. Each keeps its id and frozen request.",
    body: { name: "ReplayRequest", schema: replayBodySchema, example: { webhookId: "rule_…", from: "2026-03-01T00:00:00Z", to: "2026-03-02T00:00:00Z" } },
    success: { status: 202, description: "How many deliveries were queued.", name: "ReplayResult", schema: replayResultSchema },
    errors: [...BODY_ERRORS, 404],
  },
  {
    method: "get", path: "/api/v1/event-types", tag: "Event types", operationId: "listEventTypes", summary: "List event types",
    description: "Every event a webhook can subscribe to, with a description and a sample of the body a receiver gets.",
    success: { status: 200, description: "The catalogue.", name: "EventTypeList", schema: eventTypesSchema },
  },
  {
    method: "get", path: "/api/v1/organization", tag: "Organization", operationId: "getOrganization", summary: "Get the organization",
    description: "The API key's organization and its Enable Webhooks switch. The switch is off on a new install: while it is off, leads are accepted and their events recorded, but no webhook is sent (lead answers then carry webhooksEnabled: false and a warning).",
    success: { status: 200, description: "The organization.", name: "Organization", schema: organizationResourceSchema },
  },
  {
    method: "patch", path: "/api/v1/organization", tag: "Organization", operationId: "updateOrganization", summary: "Update the organization (Enable Webhooks)",
    description: "Turns the organization's webhooks on or off, or renames it, as Settings → Organization does. API keys have no roles: any key of the organization may do this, so keep keys as safe as an admin's password.",
    body: { name: "OrganizationUpdate", schema: organizationPatchSchema, example: { webhooksEnabled: true } },
    success: { status: 200, description: "The organization after the change.", name: "Organization", schema: organizationResourceSchema },
    errors: BODY_ERRORS,
  },
  {
    method: "get", path: "/api/v1/openapi.json", tag: "Reference", operationId: "getOpenApiDocument", summary: "This OpenAPI document",
    description: "The API's OpenAPI 3.1 document. No API key needed.",
    auth: false,
    success: { status: 200, description: "The document." },
  },
];
