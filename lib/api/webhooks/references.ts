import type { ReferenceLists, ReferenceOption } from "@/lib/reference/queries";
import type { WebhookValues } from "./schema";

// Creation rules travel in the API by name, like the leads API's status and case type: names are
// resolved (case-insensitively) to the organization's reference items, and ids shown as names.

type CreationRules = WebhookValues["creationRules"];

export interface ReferenceIds {
  statusId: string | null;
  substatusId: string | null;
  caseTypeIds: string[];
  officeId: string | null;
  opportunitySourceId: string | null;
  marketingSourceId: string | null;
}

const find = (options: readonly ReferenceOption[], name: string) => options.find((o) => o.name.toLowerCase() === name.toLowerCase());
const choices = (options: readonly ReferenceOption[]) => options.map((o) => o.name).join(", ") || "(none defined)";

/** The ids the names stand for; unknown names are errors keyed by their API path. */
export function resolveReferences(rules: CreationRules, lists: ReferenceLists): { ids: ReferenceIds; errors: Record<string, string[]> } {
  const errors: Record<string, string[]> = {};
  const one = (field: keyof CreationRules, options: readonly ReferenceOption[], label: string): string | null => {
    const name = (rules[field] as string | null)?.trim();
    if (!name) return null;
    const hit = find(options, name);
    if (!hit) errors[`creationRules.${field}`] = [`Unknown ${label} ${JSON.stringify(name)}. Use one of: ${choices(options)}.`];
    return hit?.id ?? null;
  };
  const statusId = one("status", lists.statuses, "lead status");
  let substatusId: string | null = null;
  const substatus = rules.substatus?.trim();
  if (substatus && !errors["creationRules.status"]) {
    const status = lists.statuses.find((s) => s.id === statusId);
    if (!status) errors["creationRules.substatus"] = ["Choose a lead status before a substatus."];
    else {
      substatusId = find(status.substatuses, substatus)?.id ?? null;
      if (!substatusId) errors["creationRules.substatus"] = [`Unknown substatus ${JSON.stringify(substatus)} of ${status.name}. Use one of: ${choices(status.substatuses)}.`];
    }
  }
  const caseTypeIds: string[] = [];
  rules.caseTypes.forEach((name, i) => {
    const hit = find(lists.caseTypes, name);
    if (hit) caseTypeIds.push(hit.id);
    else errors[`creationRules.caseTypes.${i}`] = [`Unknown case type ${JSON.stringify(name)}. Use one of: ${choices(lists.caseTypes)}.`];
  });
  return {
    ids: {
      statusId,
      substatusId,
      caseTypeIds,
      officeId: one("office", lists.offices, "office"),
      opportunitySourceId: one("opportunitySource", lists.opportunitySources, "opportunity source"),
      marketingSourceId: one("marketingSource", lists.marketingSources, "marketing source"),
    },
    errors,
  };
}

/** The names of a rule's reference ids ("" or an id no longer listed: any). */
export function referenceNames(ids: ReferenceIds, lists: ReferenceLists): Omit<CreationRules, "requiresCaseTrackerCode"> {
  const byId = new Map<string, string>();
  for (const s of lists.statuses) {
    byId.set(s.id, s.name);
    for (const sub of s.substatuses) byId.set(sub.id, sub.name);
  }
  for (const o of [...lists.caseTypes, ...lists.offices, ...lists.opportunitySources, ...lists.marketingSources]) byId.set(o.id, o.name);
  const name = (id: string | null) => (id ? (byId.get(id) ?? null) : null);
  return {
    status: name(ids.statusId),
    substatus: name(ids.substatusId),
    caseTypes: ids.caseTypeIds.map((id) => byId.get(id)).filter((n): n is string => !!n),
    office: name(ids.officeId),
    opportunitySource: name(ids.opportunitySourceId),
    marketingSource: name(ids.marketingSourceId),
  };
}
