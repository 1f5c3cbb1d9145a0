import type { RuleField } from "@/lib/rules/form/rule";

// The rule form's tabs and the fields on each: a tab is marked when one of its fields has an
// error, and an error reported for a field opens the tab it is on.

export type TabId = "rule" | "auth" | "request" | "response";

export const TABS: { id: TabId; label: string; fields: readonly RuleField[] }[] = [
  {
    id: "rule",
    label: "Rule",
    fields: ["title", "enabled", "url", "events", "statusId", "substatusId", "caseTypeIds", "officeId", "opportunitySourceId", "marketingSourceId", "requiresCaseTrackerCode", "duplicates"],
  },
  { id: "auth", label: "Authentication", fields: ["auth"] },
  {
    id: "request",
    label: "Request",
    fields: ["method", "headers", "mappingMode", "fieldMappings", "payloadFormat", "wrapInEnvelope", "payloadTemplate", "conditionMatch", "conditions", "timeWindow", "limits", "orderedPerLead", "batch", "timeoutMs", "signatureScheme"],
  },
  {
    id: "response",
    label: "Response",
    fields: ["successStatuses", "bodyCondition", "responseParsers", "errorParser", "retryKind", "retryDelays", "retryBaseSeconds", "retryMaxAttempts", "retryMaxDelaySeconds", "retryOn4xx", "fallbackRuleId", "linkedRuleId", "fallbackOn"],
  },
];

/** The tab showing a field path ("auth.password", "fieldMappings.2.target"). */
export function tabOf(path: string): TabId {
  const root = path.split(".")[0];
  return TABS.find((t) => t.fields.some((f) => f === root))?.id ?? "rule";
}

/** The label of the tab showing a field path ("Authentication"), to point at an error shown elsewhere. */
export function tabLabelOf(path: string): string {
  const id = tabOf(path);
  return TABS.find((t) => t.id === id)?.label ?? "Rule";
}
