import type { AuthTypeValue } from "./rule/auth";
import {
  parseMethod,
  parsePayloadFormat,
  storedConditionsSchema,
  storedHeadersSchema,
  storedMappingsSchema,
  storedTimeWindowSchema,
  type Header,
  type HttpMethod,
  type PayloadFormatValue,
  type StoredConditions,
  type StoredMappings,
  type TimeWindow,
} from "./rule/request";
import { storedResponseRulesSchema, type ResponseRules } from "./rule/response";
import { parseRetryPolicy, type RetryPolicy } from "./rule/retry";

// A webhook rule: which events and leads it takes, the request it sends, how it reads the
// response, when it retries, how it authenticates and signs. WebhookRule stores it as columns and
// JSON documents (RuleRow); ruleFromRow reads any of those columns into the Rule's parts. The
// parts and their stored-JSON schemas live in lib/domain/rule/.

export const SIGNATURE_SCHEMES = [
  { value: "STANDARD", label: "Standard Webhooks (webhook-signature)" },
  { value: "HMAC_HEX", label: "HMAC-SHA256 hex (X-Leadhooks-Signature)" },
] as const;

export type SignatureSchemeValue = (typeof SIGNATURE_SCHEMES)[number]["value"];
export const SIGNATURE_SCHEME_VALUES = SIGNATURE_SCHEMES.map((s) => s.value) as [SignatureSchemeValue, ...SignatureSchemeValue[]];

/** A rule's creation rules, by reference name (null or empty: any). */
export interface CreationRules {
  status: string | null;
  substatus: string | null;
  caseTypes: string[];
  office: string | null;
  opportunitySource: string | null;
  marketingSource: string | null;
  requiresCaseTrackerCode: boolean;
}

/** The WebhookRule columns of a rule, as Prisma returns them (JSON columns not yet read). */
export interface RuleRow {
  id: string;
  organizationId: string;
  title: string;
  enabled: boolean;
  events: string[];
  /** Creation rules, by reference item id (null: any); the case types are a relation. */
  statusId: string | null;
  substatusId: string | null;
  officeId: string | null;
  opportunitySourceId: string | null;
  marketingSourceId: string | null;
  requiresCaseTrackerCode: boolean;
  url: string;
  method: string;
  headers: unknown;
  fieldMappings: unknown;
  payloadFormat: string;
  payloadTemplate: string | null;
  wrapInEnvelope: boolean;
  conditions: unknown;
  timeWindow: unknown;
  responseRules: unknown;
  retryPolicy: unknown;
  timeoutMs: number;
  signatureScheme: SignatureSchemeValue;
  authType: AuthTypeValue;
  /** The stored credentials (lib/domain/rule/auth.ts), encrypted. */
  authConfigEncrypted: string | null;
}

/** A rule, its JSON columns read. */
export interface Rule extends Omit<RuleRow, RuleJsonColumn | "method" | "payloadFormat" | "payloadTemplate" | "fieldMappings"> {
  method: HttpMethod;
  headers: Header[];
  mappings: StoredMappings;
  payloadFormat: PayloadFormatValue;
  /** "" when the format has no template. */
  payloadTemplate: string;
  conditions: StoredConditions;
  /** Only an enabled window; null: send at any time. */
  timeWindow: TimeWindow | null;
  responseRules: ResponseRules;
  retryPolicy: RetryPolicy;
}

type RuleJsonColumn = "headers" | "conditions" | "timeWindow" | "responseRules" | "retryPolicy";
type RuleColumn = keyof RuleRow;
/** The Rule field a column is read into: fieldMappings → mappings, the others keep their name. */
type FieldOf<C extends RuleColumn> = C extends "fieldMappings" ? "mappings" : C;

/** The columns rendering reads (lib/delivery/render/request.ts). */
export const REQUEST_COLUMNS = ["url", "method", "headers", "fieldMappings", "payloadFormat", "payloadTemplate", "wrapInEnvelope", "conditions", "timeWindow"] as const;
/** The stored columns of the request a rule sends. */
export type RuleRequestRow = Pick<RuleRow, (typeof REQUEST_COLUMNS)[number]>;
/** The request a rule sends, as rendering reads it. */
export type RuleRequest = Pick<Rule, FieldOf<(typeof REQUEST_COLUMNS)[number]>>;

/** How the columns that are not read as they are become the Rule's fields. */
const READ: { [C in RuleColumn]?: (value: RuleRow[C]) => Rule[FieldOf<C>] } = {
  method: parseMethod,
  headers: (v) => storedHeadersSchema.parse(v),
  fieldMappings: (v) => storedMappingsSchema.parse(v),
  payloadFormat: parsePayloadFormat,
  payloadTemplate: (v) => v ?? "",
  conditions: (v) => storedConditionsSchema.parse(v),
  timeWindow: (v) => {
    const window = storedTimeWindowSchema.parse(v);
    return window?.enabled ? window : null;
  },
  responseRules: (v) => storedResponseRulesSchema.parse(v),
  retryPolicy: parseRetryPolicy,
};

/** Every column, for telling them from a row's other keys. */
const RULE_COLUMNS: Record<RuleColumn, true> = {
  id: true, organizationId: true, title: true, enabled: true, events: true,
  statusId: true, substatusId: true, officeId: true, opportunitySourceId: true, marketingSourceId: true, requiresCaseTrackerCode: true,
  url: true, method: true, headers: true, fieldMappings: true, payloadFormat: true, payloadTemplate: true, wrapInEnvelope: true, conditions: true, timeWindow: true,
  responseRules: true, retryPolicy: true, timeoutMs: true, signatureScheme: true, authType: true, authConfigEncrypted: true,
};

/**
 * The Rule's parts for the columns a row holds (a query may select a few): stored JSON that does
 * not parse reads as its default, an unknown method as POST, an unknown format as JSON. Keys that
 * are not WebhookRule columns are left out.
 */
export function ruleFromRow<R extends Partial<RuleRow>>(row: R): Pick<Rule, FieldOf<keyof R & RuleColumn>> {
  const rule: Record<string, unknown> = {};
  for (const column of Object.keys(row) as RuleColumn[]) {
    if (!Object.hasOwn(RULE_COLUMNS, column)) continue;
    const read = READ[column] as ((value: unknown) => unknown) | undefined;
    rule[column === "fieldMappings" ? "mappings" : column] = read ? read(row[column]) : row[column];
  }
  return rule as Pick<Rule, FieldOf<keyof R & RuleColumn>>;
}
