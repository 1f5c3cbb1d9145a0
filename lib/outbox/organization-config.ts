import type { Sql } from "@/lib/db/sql";
import { ruleFromRow, type CreationRules, type RuleRequest, type RuleRequestRow } from "@/lib/domain/rule";
import { referenceListsOf, type ReferenceLists } from "@/lib/reference/queries";
import { storedLimitsApply } from "@/lib/domain/rule/limits";
import { iso } from "@/lib/db/sql";
import type { RuleSending } from "@/lib/delivery/handoff";

// What accepting an event reads about an organization: its own row (name, webhooks switch), read
// every time, and its enabled rules and reference lists, cached per process. The cache is keyed by
// the organization's configVersion, which database triggers bump on every change to rules, case
// types, reference items or signing keys, whichever process makes it (prisma/migrations/
// *_config_version). The version comes with the organization row, so a stale copy is never used:
// no extra statement per event, and no message between processes needed.

/** An enabled rule as matching and freezing read it. */
export interface CachedRule {
  id: string;
  title: string;
  events: string[];
  creationRules: CreationRules;
  /** The request columns as stored. */
  row: RuleRequestRow;
  /** Outside its sending window the lead goes to the rule's fallback at once (so its delivery is due now, not when the window opens). */
  windowFallback: boolean;
  /** The request, read once per cached copy (throws, every time, for stored JSON that cannot be read). */
  request(): RuleRequest;
  /**
   * What sending its deliveries needs of the rule, for a rule whose deliveries may be handed
   * straight to this process's dispatcher (lib/delivery/handoff.ts): nothing but the limits of
   * requests in flight applies to them (no batches, caps, rate limit, duplicate suppression or
   * ordering per lead). Null for the others: they are claimed.
   */
  sending: RuleSending | null;
}

export interface OrganizationConfig {
  id: string;
  name: string;
  webhooksEnabled: boolean;
  version: number;
  /** The enabled rules, oldest first. */
  rules: readonly CachedRule[];
  lists: ReferenceLists;
}

interface Cached {
  version: number;
  rules: CachedRule[];
  lists: ReferenceLists;
}

/** The organization's own row, as accepting an event reads it. */
export interface OrganizationRow {
  id: string;
  name: string;
  webhooksEnabled: boolean;
  version: number;
}

interface RuleQueryRow extends RuleRequestRow {
  id: string;
  title: string;
  events: string[];
  requiresCaseTrackerCode: boolean;
  statusId: string | null;
  substatusId: string | null;
  officeId: string | null;
  opportunitySourceId: string | null;
  marketingSourceId: string | null;
  caseTypeIds: string[];
  windowFallback: boolean;
  // Sending (RuleSending), and whether only the limits of requests in flight apply ("direct").
  signatureScheme: RuleSending["signatureScheme"];
  timeoutMs: number;
  retryPolicy: unknown;
  authType: RuleSending["authType"];
  authConfigEncrypted: string | null;
  responseRules: unknown;
  signingSecretEncrypted: string | null;
  previousSecretEncrypted: string | null;
  previousSecretExpiresAt: string | null;
  deliveryLimits: unknown;
  chain: RuleSending["chain"];
  direct: boolean;
}

const key = Symbol.for("leadhooks.organization-config");
type G = typeof globalThis & { [key]?: Map<string, Cached | Promise<Cached>> };

function cache(): Map<string, Cached | Promise<Cached>> {
  const g = globalThis as G;
  return (g[key] ??= new Map());
}

/** Forgets every cached organization (tests that change the database behind the triggers' back). */
export function clearOrganizationConfigs(): void {
  cache().clear();
}

/**
 * The organization's row (read now, unless the caller has just read it: `row`) and, from the cache
 * or loaded now, its rules and lists at the row's version.
 */
export async function organizationConfig(q: Sql, organizationId: string, row?: OrganizationRow): Promise<OrganizationConfig> {
  const [org] = row?.id === organizationId
    ? [row]
    : await q.query<OrganizationRow>(`SELECT id, name, "webhooksEnabled", "configVersion" AS version FROM "Organization" WHERE id = $1`, [organizationId], "organization-config");
  if (!org) throw new Error(`Organization ${organizationId} not found`);
  const entries = cache();
  let entry = entries.get(org.id);
  const current = entry instanceof Promise ? await entry : entry;
  if (current && current.version >= org.version) return { ...org, rules: current.rules, lists: current.lists };
  // Loaded after the version was read, so it is at least that new; concurrent events share one load.
  entry = load(q, org.id, org.version);
  entries.set(org.id, entry);
  try {
    const loaded = await entry;
    entries.set(org.id, loaded);
    return { ...org, rules: loaded.rules, lists: loaded.lists };
  } catch (err) {
    if (entries.get(org.id) === entry) entries.delete(org.id);
    throw err;
  }
}

async function load(q: Sql, organizationId: string, version: number): Promise<Cached> {
  const [rows, items] = await Promise.all([
    q.query<RuleQueryRow>(
      `SELECT r.id, r.title, r.events, r.url, r.method, r.headers, r."fieldMappings", r."payloadFormat"::text AS "payloadFormat",
              r."payloadTemplate", r."wrapInEnvelope", r.conditions, r."timeWindow", r."requiresCaseTrackerCode",
              r."statusId", r."substatusId", r."officeId", r."opportunitySourceId", r."marketingSourceId",
              (r."fallbackRuleId" IS NOT NULL AND 'outsideWindow' = ANY(r."fallbackOn")) AS "windowFallback",
              COALESCE((SELECT array_agg(c."caseTypeId" ORDER BY c."caseTypeId") FROM "RuleCaseType" c WHERE c."ruleId" = r.id), '{}') AS "caseTypeIds",
              r."signatureScheme"::text AS "signatureScheme", r."timeoutMs", r."retryPolicy", r."authType"::text AS "authType", r."authConfigEncrypted",
              r."responseRules", r."signingSecretEncrypted", r."previousSecretEncrypted", ${iso(`r."previousSecretExpiresAt"`)} AS "previousSecretExpiresAt",
              r."deliveryLimits",
              CASE WHEN r."fallbackRuleId" IS NOT NULL OR r."linkedRuleId" IS NOT NULL
                   THEN json_build_object('fallbackRuleId', r."fallbackRuleId", 'linkedRuleId', r."linkedRuleId", 'fallbackOn', r."fallbackOn") END AS chain,
              (r.batch IS NULL AND r."duplicateSuppression" IS NULL AND NOT r."orderedPerLead") AS direct
       FROM "WebhookRule" r WHERE r."organizationId" = $1 AND r.enabled
       ORDER BY r."createdAt", r.id`,
      [organizationId],
    ),
    q.query<{ id: string; name: string; kind: string; parentId: string | null }>(
      `SELECT id, name, kind::text AS kind, "parentId" FROM "ReferenceItem" WHERE "organizationId" = $1 ORDER BY position, name`,
      [organizationId],
    ),
  ]);
  const names = new Map(items.map((i) => [i.id, i.name]));
  const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  const rules = rows.map((r): CachedRule => {
    let request: RuleRequest | undefined;
    const row: RuleRequestRow = {
      url: r.url, method: r.method, headers: r.headers, fieldMappings: r.fieldMappings, payloadFormat: r.payloadFormat,
      payloadTemplate: r.payloadTemplate, wrapInEnvelope: r.wrapInEnvelope, conditions: r.conditions, timeWindow: r.timeWindow,
    };
    return {
      id: r.id,
      title: r.title,
      events: r.events,
      creationRules: {
        status: name(r.statusId), substatus: name(r.substatusId), caseTypes: r.caseTypeIds.map(name).filter((n): n is string => n !== null),
        office: name(r.officeId), opportunitySource: name(r.opportunitySourceId), marketingSource: name(r.marketingSourceId),
        requiresCaseTrackerCode: r.requiresCaseTrackerCode,
      },
      row,
      windowFallback: r.windowFallback,
      request: () => (request ??= ruleFromRow(row)),
      sending: r.direct && !storedLimitsApply(r.deliveryLimits)
        ? {
            signatureScheme: r.signatureScheme, timeoutMs: r.timeoutMs, retryPolicy: r.retryPolicy, authType: r.authType, authConfigEncrypted: r.authConfigEncrypted,
            responseRules: r.responseRules, timeWindow: r.timeWindow, signingSecretEncrypted: r.signingSecretEncrypted, previousSecretEncrypted: r.previousSecretEncrypted,
            previousSecretExpiresAt: r.previousSecretExpiresAt ? new Date(r.previousSecretExpiresAt) : null, chain: r.chain,
          }
        : null,
    };
  });
  return { version, rules, lists: referenceListsOf(items) };
}
