import { describe, expect, it } from "vitest";
import { ruleSchema, type RuleFormValues } from "@/lib/rules/form/rule";
import { apiFieldErrors, apiFieldPath, fromRuleValues, toRuleInput } from "./convert";
import { webhookCreateSchema } from "./schema";

const refs = { statusId: "ref_status", substatusId: null, caseTypeIds: ["ref_ct"], officeId: null, opportunitySourceId: null, marketingSourceId: "ref_ms" };

const body = webhookCreateSchema.parse({
  title: "Acme CRM",
  enabled: false,
  url: "https://crm.example.com/{{ lead.office }}/leads",
  events: ["lead.assigned", "lead.status_changed"],
  creationRules: { status: "New", caseTypes: ["Personal Injury"], marketingSource: "TV", requiresCaseTrackerCode: true },
  authentication: { type: "OAUTH2", tokenUrl: "https://auth.example.com/token", grantType: "password", clientId: "cid", clientSecret: "cs", username: "u", password: "p", scope: "leads" },
  request: {
    method: "PUT",
    headers: [{ name: "X-Source", value: "leadhooks" }],
    mapping: { mode: "custom", fields: [{ target: "contact.email", value: "lead.email", trim: true }] },
    format: "XML",
    template: "<lead>{{ fields.contact.email | xml_escape }}</lead>",
    conditions: { match: "any", items: [{ field: "lead.score", op: "gt", value: "50" }] },
    timeWindow: { enabled: true, days: [1, 2], start: "08:00", end: "18:00", timezone: "America/New_York", outside: "alternate", alternateUrl: "https://backup.example.com/x" },
  },
  response: { successStatuses: "200, 201", bodyCondition: { enabled: true, path: "status", equals: "ok" }, parsers: [{ name: "lead_id", path: "data.id" }], errorParser: { message: "error.message" } },
  retryPolicy: { kind: "exponential", baseSeconds: 10, maxAttempts: 5, maxDelaySeconds: 600, retryOn4xx: true },
  timeoutMs: 5000,
  signatureScheme: "HMAC_HEX",
  orderedPerLead: true,
});

describe("API values ↔ the rule form's values", () => {
  it("puts every API field into the form's input, which the form's schema accepts", () => {
    const parsed = ruleSchema({ allowInsecureUrls: false }).safeParse(toRuleInput(body, refs));
    expect(parsed.success).toBe(true);
    const v = parsed.data!;
    expect(v).toMatchObject({
      title: "Acme CRM", enabled: false, events: ["lead.status_changed", "lead.assigned"], statusId: "ref_status", caseTypeIds: ["ref_ct"], marketingSourceId: "ref_ms",
      requiresCaseTrackerCode: true, method: "PUT", mappingMode: "custom", payloadFormat: "XML", conditionMatch: "any", successStatuses: "200, 201",
      retryKind: "exponential", retryBaseSeconds: 10, retryMaxAttempts: 5, retryMaxDelaySeconds: 600, retryOn4xx: true, timeoutMs: 5000, signatureScheme: "HMAC_HEX",
      orderedPerLead: true,
    });
  });

  it("reads back the same API values (round trip)", () => {
    const v = ruleSchema({ allowInsecureUrls: false }).parse(toRuleInput(body, refs));
    const form = { ...v, statusId: v.statusId ?? "", substatusId: "", officeId: "", opportunitySourceId: "", marketingSourceId: v.marketingSourceId ?? "" } as RuleFormValues;
    expect(fromRuleValues(form, body.creationRules)).toEqual({ ...body, events: ["lead.status_changed", "lead.assigned"] });
  });

  it("leaves ordering per lead off when the body does not mention it", () => {
    expect(webhookCreateSchema.parse({ ...body, orderedPerLead: undefined }).orderedPerLead).toBe(false);
  });

  it("maps the form's field paths to the API's", () => {
    expect(apiFieldPath("fieldMappings.2.value")).toBe("request.mapping.fields.2.value");
    expect(apiFieldPath("auth.password")).toBe("authentication.password");
    expect(apiFieldPath("retryDelays")).toBe("retryPolicy.delaysSeconds");
    expect(apiFieldPath("statusId")).toBe("creationRules.status");
    expect(apiFieldPath("timeWindow.alternateUrl")).toBe("request.timeWindow.alternateUrl");
    expect(apiFieldPath("url")).toBe("url");
    expect(apiFieldErrors({ trigger: ["a"], "": ["b"], responseParsers: ["c"] })).toEqual({ events: ["a"], _body: ["b"], "response.parsers": ["c"] });
  });
});
