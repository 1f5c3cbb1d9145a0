import type { EventEnvelope } from "@/lib/domain/event";
import type { LeadSnapshot } from "@/lib/domain/lead";
import type { RuleRequest } from "@/lib/domain/rule";
import { mappingSchema, type FieldMapping } from "@/lib/domain/rule/request";
import { templateContext, type TemplateContext } from "./context";

// Fixtures shared by the render unit tests (not imported by product code).

export function testLead(overrides: Partial<LeadSnapshot> = {}): LeadSnapshot {
  return {
    id: "lead_1", email: "ada@example.com", phone: "(617) 555-0142", firstName: "Ada", lastName: "Lovelace",
    status: "New", substatus: null, caseType: "Auto Accident", office: "Boston", opportunitySource: "Web Form",
    marketingSource: "Google Ads", caseTrackerCode: null, score: 12,
    customFields: { region: "northeast", state: "ma", signedOn: "2026-03-05T14:07:09Z" },
    createdAt: "2026-03-01T10:00:00.000Z", updatedAt: "2026-03-01T10:00:00.000Z",
    ...overrides,
  };
}

export function testEnvelope(lead: LeadSnapshot | null = testLead(), type = "lead.created"): EventEnvelope {
  return { id: "evt_1", type, timestamp: "2026-03-05T15:00:00.000Z", organization: { id: "org_1", name: "Acme Intake" }, data: { lead } };
}

export function testContext(lead: LeadSnapshot | null = testLead()): TemplateContext {
  return templateContext(testEnvelope(lead));
}

/** A mapping with the schema's defaults filled in. */
export function mapping(m: Partial<FieldMapping> & Pick<FieldMapping, "target">): FieldMapping {
  return mappingSchema.parse(m);
}

export function testRule(overrides: Partial<RuleRequest> = {}): RuleRequest {
  return {
    url: "https://hooks.example.com/leads", method: "POST", headers: [], mappings: { mode: "all", fields: [] },
    payloadFormat: "JSON", payloadTemplate: "", wrapInEnvelope: true, conditions: { match: "all", items: [] }, timeWindow: null,
    ...overrides,
  };
}
