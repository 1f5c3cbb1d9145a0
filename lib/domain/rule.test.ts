import { describe, expect, it } from "vitest";
import { ruleFromRow, type RuleRow } from "./rule";
import { DEFAULT_RETRY_POLICY } from "./rule/retry";

describe("ruleFromRow", () => {
  const row = {
    url: "https://hooks.example.com/leads", method: "PUT", headers: [{ name: "X-A", value: "1" }],
    fieldMappings: { mode: "custom", fields: [{ target: "email", value: "lead.email" }] },
    payloadFormat: "FORM", payloadTemplate: null, wrapInEnvelope: false,
    conditions: { match: "any", items: [{ field: "lead.score", op: "gt", value: "5" }] },
    timeWindow: { enabled: true, days: [1], start: "09:00", end: "17:00", timezone: "Europe/Paris", outside: "wait", alternateUrl: "" },
  };

  it("parses the JSON columns with the stored schemas", () => {
    const rule = ruleFromRow(row);
    expect(rule.method).toBe("PUT");
    expect(rule.mappings.fields[0]).toMatchObject({ target: "email", source: "field", value: "lead.email", trim: false, case: "none" });
    expect(rule.conditions.match).toBe("any");
    expect(rule.timeWindow?.timezone).toBe("Europe/Paris");
    expect(rule.payloadTemplate).toBe("");
  });

  it("treats unreadable or disabled values as their defaults", () => {
    const rule = ruleFromRow({ ...row, method: "DELETE", payloadFormat: "YAML", fieldMappings: "garbage", conditions: 7, timeWindow: { ...row.timeWindow, enabled: false } });
    expect(rule).toMatchObject({ method: "POST", payloadFormat: "JSON", mappings: { mode: "all", fields: [] }, conditions: { match: "all", items: [] }, timeWindow: null });
    expect(ruleFromRow({ ...row, timeWindow: { ...row.timeWindow, timezone: "Mars/Olympus" } }).timeWindow).toBeNull();
  });

  it("reads only the columns the row holds, and leaves out keys that are not columns", () => {
    const rule = ruleFromRow({ id: "rule_1", timeoutMs: 5000, retryPolicy: "junk", responseRules: {}, caseTypes: [{ caseTypeId: "ct_1" }] } as Partial<RuleRow>);
    expect(rule).toEqual({
      id: "rule_1",
      timeoutMs: 5000,
      retryPolicy: DEFAULT_RETRY_POLICY,
      responseRules: { successStatuses: "2xx", bodyCondition: null, parsers: [], errorParser: null },
    });
  });

  it("keeps the plain columns as they are", () => {
    const rule = ruleFromRow({ signatureScheme: "HMAC_HEX", authType: "BEARER", authConfigEncrypted: "v1:x", statusId: null, events: ["lead.created"] });
    expect(rule).toEqual({ signatureScheme: "HMAC_HEX", authType: "BEARER", authConfigEncrypted: "v1:x", statusId: null, events: ["lead.created"] });
  });
});
