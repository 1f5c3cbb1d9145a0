import { z } from "zod";
import { EVENT_NAMES } from "@/lib/domain/event-types";
import { CAP_PERIODS } from "@/lib/domain/rule/limits";
import { DEFAULT_RETRY_POLICY, retryPolicySchema } from "@/lib/domain/rule/retry";
import { DUPLICATES_OFF, duplicateSuppressionSchema } from "@/lib/domain/rule/duplicates";
import { API_KEY_LOCATION_VALUES, AUTH_TYPE_VALUES, OAUTH_CLIENT_AUTH_VALUES, OAUTH_GRANT_TYPE_VALUES } from "@/lib/domain/rule/auth";
import { authFormSchema, emptyAuthForm, SECRET_FIELDS } from "@/lib/rules/form/credentials";
import { requestFormFields } from "@/lib/rules/form/request";
import { responseFormFields } from "@/lib/rules/form/response";
import { ruleSchema } from "@/lib/rules/form/rule";
import { deepPartial } from "./patch";

// The webhook resource of the REST API. A webhook is a rule: these schemas group the rule form's
// own field schemas (lib/rules/form/*) under API names, so the API accepts exactly what the form
// does. The request bodies are parsed here for their shape; the values are then converted to the
// form's input and parsed by the form's schema itself (lib/api/webhooks/convert.ts), so every
// cross-field rule of the form applies too. The OpenAPI document is generated from these schemas.

/** The form's own field schemas. http:// is let through here; ruleSchema applies the server's rule. */
const form = ruleSchema({ allowInsecureUrls: true }).in.shape;

export const eventNameSchema = z.enum(EVENT_NAMES, {
  error: (issue) => `Unknown event type ${JSON.stringify(issue.input)}. Use one of: ${EVENT_NAMES.join(", ")}.`,
});

const referenceName = (what: string) =>
  z
    .string()
    .trim()
    .max(100, "Use at most 100 characters.")
    .nullable()
    .default(null)
    .describe(`A ${what} name from the organization's reference list (case-insensitive); null or omitted: any.`);

export const creationRulesSchema = z
  .strictObject({
    status: referenceName("lead status"),
    substatus: referenceName("substatus of the chosen status"),
    caseTypes: z
      .array(z.string().trim().min(1, "Enter a case type name.").max(100, "Use at most 100 characters."))
      .max(100, "Choose at most 100 case types.")
      .default([])
      .describe("Case type names; the lead's case type must be one of them. Empty: any."),
    office: referenceName("office"),
    opportunitySource: referenceName("opportunity source"),
    marketingSource: referenceName("marketing source"),
    requiresCaseTrackerCode: z.boolean().default(false).describe("Only leads that have a case tracker code."),
  })
  .describe(
    "Which leads the webhook receives, by the names in the organization's reference lists. They apply to the events that offer creation rules (lead.created, lead.updated, lead.status_changed, lead.note_added); other events reach the webhook for every lead.",
  );

/** The rule form's Authentication tab; a field left out takes the value a new rule starts with. */
export const authenticationSchema = z
  .preprocess((v) => (v && typeof v === "object" && !Array.isArray(v) ? { ...emptyAuthForm(), ...v } : v), authFormSchema)
  .describe(
    "How Leadhooks authenticates to the endpoint. type NONE, BASIC or DIGEST (username, password), OAUTH2 (tokenUrl, grantType client_credentials or password, clientId, clientSecret, username and password for the password grant, scope, audience, clientAuth basic or body), BEARER (prefix, default \"Bearer\"; token) or API_KEY (keyName, keyValue, keyIn header or query). Secrets (password, clientSecret, token, keyValue) are write-only: responses list them in secretsSet, and on PATCH an empty or omitted secret keeps the stored one. Values must be sendable as they go on the wire: token and keyValue (in a header) visible ASCII without line breaks, control characters or surrounding spaces; the other credentials, scope and audience without control characters; a BASIC username without a colon. A value that is not gets a 422 naming the field.",
  );

export const requestSchema = z
  .strictObject({
    method: requestFormFields.method,
    headers: requestFormFields.headers.describe("Custom headers sent with every delivery. Names are HTTP tokens; values may hold Latin-1 text but no line breaks or other control characters."),
    mapping: z
      .strictObject({ mode: requestFormFields.mappingMode, fields: requestFormFields.fieldMappings })
      .prefault({})
      .describe("Field mappings: mode all sends every lead field; custom sends the fields listed, each built from a lead field, a static value or a Liquid template."),
    format: requestFormFields.payloadFormat,
    template: requestFormFields.payloadTemplate.describe("The Liquid body template for the XML and TEMPLATE formats."),
    wrapInEnvelope: requestFormFields.wrapInEnvelope.describe("JSON format: send the mapped fields inside the event envelope (data.lead)."),
    conditions: z
      .strictObject({ match: requestFormFields.conditionMatch, items: requestFormFields.conditions })
      .prefault({})
      .describe("Conditional sending: a lead that does not meet them gets a SKIPPED delivery with the reason."),
    timeWindow: requestFormFields.timeWindow.describe("Sending window: outside it, deliveries wait for it to open or go to alternateUrl."),
  })
  .prefault({});

export const responseSchema = z
  .strictObject({
    successStatuses: responseFormFields.successStatuses.describe("Status codes that count as success, e.g. 2xx or 200-299, 302."),
    bodyCondition: responseFormFields.bodyCondition.describe("Also require a JSON path or XPath of the response body to equal a value."),
    parsers: responseFormFields.responseParsers.describe("Named values extracted from each response, stored on the delivery."),
    errorParser: responseFormFields.errorParser.describe("Paths of the error code, message and field in failure responses."),
  })
  .prefault({});

const webhookFields = {
  title: form.title.describe("A name for the webhook, shown in the admin."),
  enabled: form.enabled.default(true),
  url: form.url.describe("The endpoint. https:// is required unless the server sets ALLOW_INSECURE_URLS=true; no user name or password in the URL; the host must be a public address (private, loopback, link-local, metadata and reserved addresses are refused, also in IPv6 forms that carry an IPv4 address). The alternate URL and the OAuth token URL follow the same rules. May use Liquid variables from the lead, e.g. https://api.example.com/{{ lead.office }}/leads."),
  events: z
    .array(eventNameSchema)
    .min(1, "Choose at least one event type.")
    .max(EVENT_NAMES.length)
    .describe("Event types the webhook subscribes to (GET /api/v1/event-types)."),
  creationRules: creationRulesSchema.prefault({}),
  authentication: authenticationSchema.default(emptyAuthForm()),
  request: requestSchema,
  response: responseSchema,
  retryPolicy: retryPolicySchema.default(DEFAULT_RETRY_POLICY).describe("When failed deliveries are tried again: a schedule of delays or exponential backoff."),
  timeoutMs: form.timeoutMs.describe("How long one attempt may take, in milliseconds."),
  signatureScheme: form.signatureScheme.describe("STANDARD: Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature). HMAC_HEX: X-Leadhooks-Signature: sha256=<hex>."),
  duplicates: duplicateSuppressionSchema
    .default(DUPLICATES_OFF)
    .describe("Duplicate suppression: a lead.created delivery of a lead this webhook already received (the same lead, or the same email, phone or field) within `days` days is SKIPPED, with duplicateOfId naming the earlier delivery. Emails match case-insensitively, phones by their digits."),
  limits: form.limits.describe("Delivery controls: caps per hour, day, week and month, what happens once one is reached, and a rate limit on requests to the endpoint."),
  orderedPerLead: form.orderedPerLead.describe(
    "Ordering per lead: a lead's deliveries reach this webhook in the order their events happened (createdAt, then id); a later one waits while an earlier one of the same lead is pending or retrying, and goes once that one succeeded, failed for good or was skipped. Other leads are not held up.",
  ),
  batch: form.batch.describe(
    "Batches: the webhook's deliveries are sent together, one request for up to maxLeads of them or for those that waited maxSeconds, whichever comes first; the body is a JSON array of each lead's body (format json) or CSV with a header row (format csv), and webhook-id is the batch id. Each delivery records the batch's outcome. Only with the JSON payload format, and not with caps, a rate limit, duplicate suppression or ordering per lead. Test sends are never batched.",
  ),
  fallbackRuleId: form.fallbackRuleId.default(null).describe(
    "Fallback: another webhook of the organization (its id) that gets the lead, as a new delivery of the same event rendered for it (its own creation rules and conditions are not checked), when this webhook's delivery fails for good, and in the cases fallbackOn names. A disabled fallback gets nothing. Following fallbackRuleId and linkedRuleId from a webhook must never lead back to it: such a loop is refused with 422. null: none.",
  ),
  linkedRuleId: form.linkedRuleId.default(null).describe(
    "Linked webhook: another webhook of the organization (its id) that gets the lead after this webhook's delivery succeeded (its templates can read the values this webhook's response parsers extracted as answers.<this webhook's id>.<name>). null: none.",
  ),
  fallbackOn: form.fallbackOn,
};

/** POST /api/v1/webhooks. */
export const webhookCreateSchema = z.strictObject(webhookFields);
export type WebhookValues = z.output<typeof webhookCreateSchema>;

/**
 * PATCH /api/v1/webhooks/{id}: any subset of the create body, merged over the webhook's current
 * values (objects key by key; arrays, values and retryPolicy are replaced whole).
 */
export const webhookPatchSchema = deepPartial(webhookCreateSchema, { whole: ["retryPolicy"] })
  .refine((v) => Object.keys(v).length > 0, { message: "Nothing to update." })
  .describe("Any subset of the webhook's fields. Objects merge key by key over the current values; arrays and retryPolicy replace the current ones whole.");

const iso = () => z.iso.datetime();

const authenticationOutput = z.object({
  type: z.enum(AUTH_TYPE_VALUES),
  username: z.string().optional(),
  tokenUrl: z.string().optional(),
  grantType: z.enum(OAUTH_GRANT_TYPE_VALUES).optional(),
  clientId: z.string().optional(),
  scope: z.string().optional(),
  audience: z.string().optional(),
  clientAuth: z.enum(OAUTH_CLIENT_AUTH_VALUES).optional(),
  prefix: z.string().optional(),
  keyName: z.string().optional(),
  keyIn: z.enum(API_KEY_LOCATION_VALUES).optional(),
  secretsSet: z.array(z.enum(SECRET_FIELDS)).describe("Which secrets are stored. Their values are never returned."),
});
export type AuthenticationOutput = z.output<typeof authenticationOutput>;

/** What GET returns (and POST / PATCH answer with). */
export const webhookSchema = z.object({
  id: z.string(),
  title: z.string(),
  enabled: z.boolean(),
  url: z.string(),
  events: z.array(z.string()),
  creationRules: creationRulesSchema,
  authentication: authenticationOutput,
  request: requestSchema,
  response: responseSchema,
  retryPolicy: retryPolicySchema,
  timeoutMs: z.int(),
  signatureScheme: webhookFields.signatureScheme,
  duplicates: duplicateSuppressionSchema,
  signing: z
    .object({
      ownSecret: z.boolean().describe("true: deliveries are signed with the webhook's own secret; false: with the organization's signing key."),
      previousSecretExpiresAt: iso().nullable().describe("Until when the secret replaced by the last rotation still signs too."),
    })
    .describe("Which secret signs this webhook's deliveries. The secret itself is shown once, when it is created or rotated."),
  disabledReason: z.string().nullable().describe("Why the webhook was disabled automatically (e.g. repeated failures, 410 Gone)."),
  disabledAt: iso().nullable(),
  circuit: z
    .object({
      state: z.enum(["closed", "open"]).describe("open: the webhook is paused; its deliveries wait (delayed, never dropped) until pausedUntil, then one probe request goes."),
      pausedUntil: iso().nullable().describe("While open: when the probe request goes; null while closed."),
      reason: z.string().nullable().describe("While open: why the webhook was paused; null while closed."),
    })
    .describe("Read-only. The circuit breaker: after 5 requests in a row unanswered (timed out, connection refused or reset…) or answered 5xx a webhook is paused for 30 seconds, then probed with one request; a success resumes it, a failure pauses it again."),
  limits: webhookFields.limits,
  orderedPerLead: z.boolean(),
  batch: form.batch.unwrap(),
  fallbackRuleId: z.string().nullable(),
  linkedRuleId: z.string().nullable(),
  fallbackOn: webhookFields.fallbackOn,
  usage: z
    .object({
      caps: z.array(
        z.object({
          period: z.enum(CAP_PERIODS),
          limit: z.int(),
          used: z.int().describe("Deliveries counted in the current period."),
          resetsAt: iso().describe("When the current period ends and the count starts again."),
        }),
      ),
      timeZone: z.string().describe("The time zone the periods are counted in: limits.timezone, else the sending window's, else UTC."),
    })
    .nullable()
    .describe("Read-only. The use of each cap in its current period; null when the webhook has no caps or rate limit."),
  createdAt: iso(),
  updatedAt: iso(),
});
export type Webhook = z.output<typeof webhookSchema>;

export const webhookCreatedSchema = webhookSchema.extend({
  secret: z.string().describe("The webhook's signing secret (whsec_…). Returned only in this response: store it now."),
});

export const secretRotatedSchema = z.object({
  secret: z.string().describe("The new signing secret (whsec_…), returned only in this response."),
  previousSecretExpiresAt: iso().describe("Deliveries are signed with the previous secret too until then (24 hours)."),
});

export const webhookListSchema = z.object({
  data: z.array(webhookSchema),
  nextCursor: z.string().nullable().describe("Pass as ?cursor= for the next page; null on the last page."),
});

export const deleteQuerySchema = z.strictObject({
  force: z
    .enum(["true", "false"])
    .optional()
    .describe("true deletes an enabled webhook too. Without it, an enabled webhook is refused with 409 webhook_enabled (as in the admin: disable it first)."),
});
