import { z } from "zod";
import { EVENT_NAMES, hasCreationRules, type EventName } from "@/lib/domain/event-types";
import { SIGNATURE_SCHEME_VALUES, type SignatureSchemeValue } from "@/lib/domain/rule";
import { deliveryLimitsSchema, hasLimits, NO_LIMITS, type DeliveryLimits } from "@/lib/domain/rule/limits";
import type { TimeWindow } from "@/lib/domain/rule/request";
import { BATCH_OFF, batchRefusal, batchSettingSchema, type BatchSetting } from "@/lib/domain/rule/batch";
import { ruleChainFields, type FallbackTrigger } from "@/lib/domain/rule/chain";
import { DUPLICATES_OFF, duplicateFormValues, duplicateSuppressionSchema, type DuplicateSuppression } from "@/lib/domain/rule/duplicates";
import { OUTBOUND_URL_MAX, OUTBOUND_URL_MESSAGES, urlShapeProblem } from "@/lib/security/outbound-url";
import { authFormSchema, emptyAuthForm, type AuthFormInput, type AuthFormValues } from "./credentials";
import { emptyRequestForm, refineRequest, requestFormFields, type RequestFormValues } from "./request";
import { emptyResponseForm, refineResponse, responseFormFields, type ResponseFormValues } from "./response";
import { refineRetry, retryFormFields, retryFormFromPolicy, type RetryFormValues } from "./retry";

// The Add / Edit Webhook Rule form's schema: the client form (zodResolver) and the server actions
// parse with the same schema. It is built by a factory because whether plain http:// is allowed
// comes from the server's environment, which the browser cannot read: the page passes the flag
// down to the form, and the action reads env() when it runs.

export const TITLE_MAX = 200;
export const URL_MAX = OUTBOUND_URL_MAX;
export const TIMEOUT_MIN_MS = 1000;
export const TIMEOUT_MAX_MS = 30000;
export const TIMEOUT_DEFAULT_MS = 10000;

export const RULE_MESSAGES = {
  titleRequired: "Enter a title.",
  titleTooLong: `Use at most ${TITLE_MAX} characters.`,
  enabled: "Choose Yes or No.",
  urlRequired: "Enter the endpoint URL.",
  urlTooLong: `Use at most ${URL_MAX.toLocaleString("en-US")} characters.`,
  // Every outbound URL field is checked by one function with one set of messages (outbound-url.ts).
  urlWhitespace: OUTBOUND_URL_MESSAGES.whitespace,
  urlInvalid: OUTBOUND_URL_MESSAGES.invalid,
  urlProtocol: OUTBOUND_URL_MESSAGES.protocol,
  urlHttpsRequired: OUTBOUND_URL_MESSAGES.insecure,
  urlTemplate: OUTBOUND_URL_MESSAGES.template,
  urlCredentials: OUTBOUND_URL_MESSAGES.credentials,
  urlPort: OUTBOUND_URL_MESSAGES.port,
  trigger: "Choose a trigger.",
  events: "Choose at least one trigger.",
  referenceId: "Choose an option from the list.",
  substatusWithoutStatus: "Choose a lead status before a substatus.",
  tooManyCaseTypes: "Choose at most 100 case types.",
  timeoutType: "Enter the timeout in milliseconds.",
  timeoutInteger: "Enter a whole number of milliseconds.",
  timeoutRange: `Enter a timeout between ${TIMEOUT_MIN_MS.toLocaleString("en-US")} and ${TIMEOUT_MAX_MS.toLocaleString("en-US")} ms.`,
  signatureScheme: "Choose a signature scheme.",
} as const;

export interface RuleSchemaOptions {
  /** ALLOW_INSECURE_URLS: plain http:// endpoints are accepted (local development). */
  allowInsecureUrls: boolean;
}

function urlSchema() {
  // Its form (scheme, credentials, port, …) is checked with the other outbound URLs, below.
  return z.string({ error: RULE_MESSAGES.urlRequired }).trim().min(1, RULE_MESSAGES.urlRequired).max(URL_MAX, RULE_MESSAGES.urlTooLong);
}

/** The parts of a rule its outbound URLs live in. */
export interface RuleUrlSource {
  url: string;
  auth: Pick<AuthFormValues, "type" | "tokenUrl">;
  timeWindow: Pick<TimeWindow, "enabled" | "outside" | "alternateUrl">;
}

/** A URL Leadhooks calls for a rule. */
export interface OutboundUrlField {
  /** Where it sits in the form's values ("auth.tokenUrl"); the API's path follows from it. */
  path: string;
  label: string;
  /** "allowed": rendered per lead from {{ }} variables; "refused": sent as written. */
  template: "allowed" | "refused";
  /** The URL when the rule as configured calls it, else null (then it is neither checked nor used). */
  valueIn: (rule: RuleUrlSource) => string | null;
}

/**
 * Every URL field of a rule that Leadhooks calls. Each goes through the same checks: its form
 * here (client and server), its host's addresses at save (lib/rules/destinations.ts), and both
 * again at send. A new URL field belongs in this list; outbound-url-fields.test.ts fails when a
 * URL-like field of the form or the API is missing from it.
 */
export const OUTBOUND_URL_FIELDS: readonly OutboundUrlField[] = [
  { path: "url", label: "URL", template: "allowed", valueIn: (r) => r.url },
  {
    path: "timeWindow.alternateUrl",
    label: "Alternate URL",
    template: "allowed",
    valueIn: (r) => (r.timeWindow.enabled && r.timeWindow.outside === "alternate" ? r.timeWindow.alternateUrl : null),
  },
  { path: "auth.tokenUrl", label: "Token URL", template: "refused", valueIn: (r) => (r.auth.type === "OAUTH2" ? r.auth.tokenUrl : null) },
];

const URL_SOURCES = ["url", "auth", "timeWindow"];

/** The form of every outbound URL the rule calls; a missing one is reported by its own field. */
function refineOutboundUrls(rule: RuleUrlSource, { allowInsecureUrls }: RuleSchemaOptions, ctx: z.RefinementCtx): void {
  for (const field of OUTBOUND_URL_FIELDS) {
    const value = field.valueIn(rule)?.trim();
    if (!value || value.length > URL_MAX) continue;
    const problem = urlShapeProblem(value, { allowInsecure: allowInsecureUrls, template: field.template });
    if (problem) ctx.addIssue({ code: "custom", path: field.path.split("."), message: problem.message });
  }
}

/** A reference list choice: "" (the "Any" option), null or missing all mean "any". */
const optionalReference = z
  .string({ error: RULE_MESSAGES.referenceId })
  .max(100, RULE_MESSAGES.referenceId)
  .nullish()
  .transform((v) => v?.trim() || null);

const yesNo = z.boolean({ error: RULE_MESSAGES.enabled });

export function ruleSchema(options: RuleSchemaOptions) {
  return z
    .object({
      title: z.string({ error: RULE_MESSAGES.titleRequired }).trim().min(1, RULE_MESSAGES.titleRequired).max(TITLE_MAX, RULE_MESSAGES.titleTooLong),
      enabled: yesNo,
      url: urlSchema(),
      // One trigger is the common case; a rule may subscribe to several (the API too).
      events: z
        .array(z.enum(EVENT_NAMES, { error: RULE_MESSAGES.trigger }), { error: RULE_MESSAGES.events })
        .min(1, RULE_MESSAGES.events)
        .transform((events) => EVENT_NAMES.filter((name) => events.includes(name))),
      statusId: optionalReference,
      substatusId: optionalReference,
      caseTypeIds: z
        .array(z.string({ error: RULE_MESSAGES.referenceId }).max(100, RULE_MESSAGES.referenceId), { error: RULE_MESSAGES.referenceId })
        .max(100, RULE_MESSAGES.tooManyCaseTypes)
        .default([])
        // The form's select may hand over "" for nothing chosen; keep each id once.
        .transform((ids) => [...new Set(ids.map((id) => id.trim()).filter(Boolean))]),
      officeId: optionalReference,
      opportunitySourceId: optionalReference,
      marketingSourceId: optionalReference,
      requiresCaseTrackerCode: z.boolean({ error: RULE_MESSAGES.enabled }).default(false),
      timeoutMs: z
        .number({ error: RULE_MESSAGES.timeoutType })
        .int(RULE_MESSAGES.timeoutInteger)
        .min(TIMEOUT_MIN_MS, RULE_MESSAGES.timeoutRange)
        .max(TIMEOUT_MAX_MS, RULE_MESSAGES.timeoutRange)
        .default(TIMEOUT_DEFAULT_MS),
      signatureScheme: z.enum(SIGNATURE_SCHEME_VALUES, { error: RULE_MESSAGES.signatureScheme }).default("STANDARD"),
      duplicates: duplicateSuppressionSchema.default(DUPLICATES_OFF),
      ...retryFormFields,
      auth: authFormSchema.default(emptyAuthForm()),
      ...requestFormFields,
      ...responseFormFields,
      limits: deliveryLimitsSchema.prefault({}),
      orderedPerLead: yesNo.default(false),
      batch: batchSettingSchema.prefault({}),
      ...ruleChainFields,
    })
    // Runs even when unrelated fields failed (as a field's own checks would), so every URL
    // problem is reported with the rest; only needs url, auth and timeWindow to have parsed.
    .superRefine((rule, ctx) => refineOutboundUrls(rule, options, ctx), {
      when: (payload) => !payload.issues.some((i) => URL_SOURCES.includes(String(i.path?.[0]))),
    })
    .superRefine((rule, ctx) => {
      refineRetry(rule, ctx);
      refineRequest(rule, ctx);
      refineResponse(rule, ctx);
      const batchRefused = batchRefusal({
        batch: rule.batch, method: rule.method, payloadFormat: rule.payloadFormat, limitsSet: hasLimits(rule.limits), duplicatesOn: rule.duplicates.match !== "off", orderedPerLead: rule.orderedPerLead,
      });
      if (batchRefused) ctx.addIssue({ code: "custom", path: ["batch", "enabled"], message: batchRefused });
      if (hasCreationRules(rule.events) && rule.substatusId && !rule.statusId) {
        ctx.addIssue({ code: "custom", path: ["substatusId"], message: RULE_MESSAGES.substatusWithoutStatus });
      }
    })
    .transform((rule) => {
      // Triggers without creation rules match every lead: whatever the form still holds from an
      // earlier trigger choice is not saved.
      if (hasCreationRules(rule.events)) return rule;
      return { ...rule, ...NO_CREATION_RULES };
    });
}

const NO_CREATION_RULES = {
  statusId: null,
  substatusId: null,
  caseTypeIds: [] as string[],
  officeId: null,
  opportunitySourceId: null,
  marketingSourceId: null,
  requiresCaseTrackerCode: false,
};

export type RuleSchema = ReturnType<typeof ruleSchema>;
/** What the form holds and the create action accepts. */
export type RuleInput = z.input<RuleSchema>;
export type { AuthFormInput };
/** What the schema hands to the mutations: trimmed, "" → null, creation rules dropped when unused. */
export type RuleValues = z.output<RuleSchema>;

/** The form's fields, for mapping errors back onto them. */
export const RULE_FIELDS = [
  "title",
  "enabled",
  "url",
  "events",
  "statusId",
  "substatusId",
  "caseTypeIds",
  "officeId",
  "opportunitySourceId",
  "marketingSourceId",
  "requiresCaseTrackerCode",
  "duplicates",
  "timeoutMs",
  "signatureScheme",
  "retryKind",
  "retryDelays",
  "retryBaseSeconds",
  "retryMaxAttempts",
  "retryMaxDelaySeconds",
  "retryOn4xx",
  "auth",
  "method",
  "headers",
  "mappingMode",
  "fieldMappings",
  "payloadFormat",
  "wrapInEnvelope",
  "payloadTemplate",
  "conditionMatch",
  "conditions",
  "timeWindow",
  "successStatuses",
  "bodyCondition",
  "responseParsers",
  "errorParser",
  "limits",
  "orderedPerLead",
  "batch",
  "fallbackRuleId",
  "linkedRuleId",
  "fallbackOn",
] as const satisfies readonly (keyof RuleInput)[];

export type RuleField = (typeof RULE_FIELDS)[number];

/** The values a new rule starts with in the form. */
export function emptyRuleInput(events: EventName[] = ["lead.created"]): RuleFormValues {
  return {
    title: "",
    enabled: true,
    url: "",
    events,
    statusId: "",
    substatusId: "",
    caseTypeIds: [],
    officeId: "",
    opportunitySourceId: "",
    marketingSourceId: "",
    requiresCaseTrackerCode: false,
    timeoutMs: TIMEOUT_DEFAULT_MS,
    signatureScheme: "STANDARD",
    duplicates: duplicateFormValues(null),
    ...retryFormFromPolicy({}),
    auth: emptyAuthForm(),
    ...emptyRequestForm(),
    ...emptyResponseForm(),
    limits: NO_LIMITS,
    orderedPerLead: false,
    batch: BATCH_OFF,
    fallbackRuleId: "",
    linkedRuleId: "",
    fallbackOn: [],
  };
}

/** The form's values: every field present, reference choices as strings ("" = Any). */
export interface RuleFormValues extends RetryFormValues, RequestFormValues, ResponseFormValues {
  auth: AuthFormValues;
  duplicates: DuplicateSuppression;
  title: string;
  enabled: boolean;
  url: string;
  events: EventName[];
  statusId: string;
  substatusId: string;
  caseTypeIds: string[];
  officeId: string;
  opportunitySourceId: string;
  marketingSourceId: string;
  requiresCaseTrackerCode: boolean;
  timeoutMs: number;
  signatureScheme: SignatureSchemeValue;
  limits: DeliveryLimits;
  orderedPerLead: boolean;
  batch: BatchSetting;
  /** Fallback and linked rules ("": none). */
  fallbackRuleId: string;
  linkedRuleId: string;
  fallbackOn: FallbackTrigger[];
}
