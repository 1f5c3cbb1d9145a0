import { describe, expect, it } from "vitest";
import { BATCH_MESSAGES, BATCH_OFF } from "@/lib/domain/rule/batch";
import { RULE_MESSAGES, emptyRuleInput, ruleSchema, type RuleInput } from "./rule";

const strict = ruleSchema({ allowInsecureUrls: false });
const lenient = ruleSchema({ allowInsecureUrls: true });

function valid(overrides: Partial<RuleInput> = {}): RuleInput {
  return { ...emptyRuleInput(), title: "Send to CRM", url: "https://crm.example.com/hooks/leads", ...overrides };
}

/** The messages zod reports for each field path. */
function errorsOf(input: unknown, schema = strict): Record<string, string[]> {
  const res = schema.safeParse(input);
  if (res.success) return {};
  const out: Record<string, string[]> = {};
  for (const issue of res.error.issues) (out[issue.path.join(".") || "_form"] ??= []).push(issue.message);
  return out;
}

describe("ruleSchema", () => {
  it("accepts a complete rule, trims text and turns empty choices into null", () => {
    const out = strict.parse(valid({ title: "  Send to CRM  ", url: " https://crm.example.com/a?b=1 ", statusId: "st_1", caseTypeIds: ["ct_1", "", "ct_1", "ct_2"] }));
    const { auth, method, headers, mappingMode, fieldMappings, payloadFormat, successStatuses, ...rest } = out;
    // The endpoint tabs start from their defaults: no authentication, POST, map all fields, JSON, 2xx.
    expect({ auth: auth.type, method, headers, mappingMode, fieldMappings, payloadFormat, successStatuses }).toEqual({
      auth: "NONE", method: "POST", headers: [], mappingMode: "all", fieldMappings: [], payloadFormat: "JSON", successStatuses: "2xx",
    });
    expect(rest).toMatchObject({
      title: "Send to CRM",
      enabled: true,
      url: "https://crm.example.com/a?b=1",
      events: ["lead.created"],
      statusId: "st_1",
      substatusId: null,
      caseTypeIds: ["ct_1", "ct_2"],
      officeId: null,
      opportunitySourceId: null,
      marketingSourceId: null,
      requiresCaseTrackerCode: false,
      timeoutMs: 10000,
      signatureScheme: "STANDARD",
      retryKind: "schedule",
      retryDelays: "0, 30, 120, 600, 3600, 21600",
      retryBaseSeconds: 30,
      retryMaxAttempts: 6,
      retryMaxDelaySeconds: 21600,
      retryOn4xx: false,
    });
  });

  it("fills defaults for the optional groups (API-style input)", () => {
    const out = strict.parse({ title: "t", enabled: false, url: "https://x.example", events: ["lead.updated"] });
    expect(out).toMatchObject({ enabled: false, caseTypeIds: [], statusId: null, requiresCaseTrackerCode: false, timeoutMs: 10000, signatureScheme: "STANDARD" });
  });

  describe("title", () => {
    it("is required (blank after trimming counts as missing)", () => {
      expect(errorsOf(valid({ title: "   " })).title).toEqual([RULE_MESSAGES.titleRequired]);
      expect(errorsOf({ ...valid(), title: undefined }).title).toEqual([RULE_MESSAGES.titleRequired]);
    });
    it("is at most 200 characters", () => {
      expect(errorsOf(valid({ title: "x".repeat(200) })).title).toBeUndefined();
      expect(errorsOf(valid({ title: "x".repeat(201) })).title).toEqual([RULE_MESSAGES.titleTooLong]);
    });
    it("keeps markup as plain text", () => {
      expect(strict.parse(valid({ title: "<script>alert(1)</script>" })).title).toBe("<script>alert(1)</script>");
    });
  });

  it("leaves ordering per lead off unless it is ticked, and takes only a boolean", () => {
    expect(strict.parse({ title: "t", enabled: true, url: "https://x.example", events: ["lead.updated"] }).orderedPerLead).toBe(false);
    expect(emptyRuleInput().orderedPerLead).toBe(false);
    expect(strict.parse(valid({ orderedPerLead: true })).orderedPerLead).toBe(true);
    expect(errorsOf({ ...valid(), orderedPerLead: "yes" }).orderedPerLead).toEqual([RULE_MESSAGES.enabled]);
  });

  it("leaves batches off by default and refuses them for a body that is not JSON or with ordering per lead", () => {
    const batch = { enabled: true, maxLeads: 10, maxSeconds: 5, format: "json" as const };
    expect(strict.parse(valid()).batch).toEqual(BATCH_OFF);
    expect(strict.parse(valid({ batch })).batch).toEqual(batch);
    expect(errorsOf(valid({ batch, payloadFormat: "XML" }))["batch.enabled"]).toEqual([BATCH_MESSAGES.payloadFormat]);
    expect(errorsOf(valid({ batch, orderedPerLead: true }))["batch.enabled"]).toEqual([BATCH_MESSAGES.otherControls]);
    expect(errorsOf(valid({ batch: { ...batch, maxLeads: 1 } }))["batch.maxLeads"]).toEqual([BATCH_MESSAGES.maxLeads]);
  });

  it("requires enabled to be a boolean", () => {
    expect(errorsOf({ ...valid(), enabled: "yes" }).enabled).toEqual([RULE_MESSAGES.enabled]);
  });

  describe("url", () => {
    it("is required", () => {
      expect(errorsOf(valid({ url: "  " })).url).toEqual([RULE_MESSAGES.urlRequired]);
    });
    it("must be absolute", () => {
      expect(errorsOf(valid({ url: "crm.example.com/hooks" })).url).toEqual([RULE_MESSAGES.urlInvalid]);
      expect(errorsOf(valid({ url: "/hooks" })).url).toEqual([RULE_MESSAGES.urlInvalid]);
    });
    it("must be http(s)", () => {
      expect(errorsOf(valid({ url: "ftp://crm.example.com/x" })).url).toEqual([RULE_MESSAGES.urlProtocol]);
      expect(errorsOf(valid({ url: "javascript:alert(1)" })).url).toEqual([RULE_MESSAGES.urlProtocol]);
    });
    it("requires https unless insecure URLs are allowed", () => {
      expect(errorsOf(valid({ url: "http://crm.example.com/hooks" })).url).toEqual([RULE_MESSAGES.urlHttpsRequired]);
      expect(errorsOf(valid({ url: "http://localhost:4000/hooks" }), lenient).url).toBeUndefined();
      expect(lenient.parse(valid({ url: "http://localhost:4000/hooks" })).url).toBe("http://localhost:4000/hooks");
    });
    it("refuses credentials in the URL, even when http is allowed", () => {
      expect(errorsOf(valid({ url: "https://user:pass@crm.example.com/" })).url).toEqual([RULE_MESSAGES.urlCredentials]);
      expect(errorsOf(valid({ url: "http://user@localhost/" }), lenient).url).toEqual([RULE_MESSAGES.urlCredentials]);
    });
    it("refuses whitespace and control characters inside", () => {
      expect(errorsOf(valid({ url: "https://crm.exa\nmple.com/" })).url).toEqual([RULE_MESSAGES.urlWhitespace]);
      expect(errorsOf(valid({ url: "https://crm.example.com/a b" })).url).toEqual([RULE_MESSAGES.urlWhitespace]);
    });
    it("is at most 2048 characters", () => {
      const base = "https://crm.example.com/";
      expect(errorsOf(valid({ url: base + "a".repeat(2048 - base.length) })).url).toBeUndefined();
      expect(errorsOf(valid({ url: base + "a".repeat(2049 - base.length) })).url).toEqual([RULE_MESSAGES.urlTooLong]);
    });
  });

  it("requires one or more triggers from the event catalogue, kept once each in catalogue order", () => {
    expect(errorsOf({ ...valid(), events: ["lead.exploded"] })["events.0"]).toEqual([RULE_MESSAGES.trigger]);
    expect(errorsOf({ ...valid(), events: [] }).events).toEqual([RULE_MESSAGES.events]);
    expect(errorsOf({ ...valid(), events: undefined }).events).toEqual([RULE_MESSAGES.events]);
    expect(strict.parse(valid({ events: ["lead.deleted", "lead.created", "lead.deleted"] })).events).toEqual(["lead.created", "lead.deleted"]);
  });

  describe("creation rules", () => {
    it("refuses a substatus without a status", () => {
      expect(errorsOf(valid({ substatusId: "sub_1" })).substatusId).toEqual([RULE_MESSAGES.substatusWithoutStatus]);
      expect(errorsOf(valid({ statusId: "st_1", substatusId: "sub_1" })).substatusId).toBeUndefined();
    });

    it("drops every creation rule when the trigger has none", () => {
      const out = strict.parse(
        valid({
          events: ["lead.deleted"],
          statusId: "",
          substatusId: "sub_1",
          caseTypeIds: ["ct_1"],
          officeId: "of_1",
          opportunitySourceId: "op_1",
          marketingSourceId: "ms_1",
          requiresCaseTrackerCode: true,
        }),
      );
      expect(out).toMatchObject({ events: ["lead.deleted"], statusId: null, substatusId: null, caseTypeIds: [], officeId: null, opportunitySourceId: null, marketingSourceId: null, requiresCaseTrackerCode: false });
    });

    it("accepts null for any choice and rejects non-string ids", () => {
      expect(strict.parse({ ...valid(), officeId: null }).officeId).toBeNull();
      expect(errorsOf({ ...valid(), officeId: 42 }).officeId).toEqual([RULE_MESSAGES.referenceId]);
      expect(errorsOf({ ...valid(), caseTypeIds: "ct_1" }).caseTypeIds).toEqual([RULE_MESSAGES.referenceId]);
      expect(errorsOf({ ...valid(), caseTypeIds: Array.from({ length: 101 }, (_, i) => `ct_${i}`) }).caseTypeIds).toEqual([RULE_MESSAGES.tooManyCaseTypes]);
    });

    it("requires requiresCaseTrackerCode to be a boolean", () => {
      expect(errorsOf({ ...valid(), requiresCaseTrackerCode: "true" }).requiresCaseTrackerCode).toEqual([RULE_MESSAGES.enabled]);
    });
  });

  describe("delivery", () => {
    it("accepts a timeout from 1,000 to 30,000 ms", () => {
      expect(errorsOf(valid({ timeoutMs: 1000 })).timeoutMs).toBeUndefined();
      expect(errorsOf(valid({ timeoutMs: 30000 })).timeoutMs).toBeUndefined();
      expect(errorsOf(valid({ timeoutMs: 999 })).timeoutMs).toEqual([RULE_MESSAGES.timeoutRange]);
      expect(errorsOf(valid({ timeoutMs: 30001 })).timeoutMs).toEqual([RULE_MESSAGES.timeoutRange]);
    });
    it("needs a whole number (an empty number input gives NaN)", () => {
      expect(errorsOf(valid({ timeoutMs: 1500.5 })).timeoutMs).toEqual([RULE_MESSAGES.timeoutInteger]);
      expect(errorsOf(valid({ timeoutMs: Number.NaN })).timeoutMs).toEqual([RULE_MESSAGES.timeoutType]);
      expect(errorsOf({ ...valid(), timeoutMs: "5000" }).timeoutMs).toEqual([RULE_MESSAGES.timeoutType]);
    });
    it("offers the two signature schemes", () => {
      expect(strict.parse(valid({ signatureScheme: "HMAC_HEX" })).signatureScheme).toBe("HMAC_HEX");
      expect(errorsOf({ ...valid(), signatureScheme: "MD5" }).signatureScheme).toEqual([RULE_MESSAGES.signatureScheme]);
    });
  });

  it("reports every invalid field at once", () => {
    expect(Object.keys(errorsOf({ title: "", enabled: null, url: "nope", events: "x", timeoutMs: 5, signatureScheme: "x" })).sort()).toEqual(
      ["enabled", "events", "signatureScheme", "timeoutMs", "title", "url"].sort(),
    );
  });
});

describe("dynamic URLs", () => {
  it("accepts template variables in the path and checks the rest of the URL", () => {
    expect(errorsOf(valid({ url: "https://api.example.com/{{ lead.office }}/leads" })).url).toBeUndefined();
    expect(errorsOf(valid({ url: "https://api.example.com/{{ lead.office /leads" })).url).toEqual([RULE_MESSAGES.urlTemplate]);
    expect(errorsOf(valid({ url: "ftp://api.example.com/{{ lead.office }}" })).url).toEqual([RULE_MESSAGES.urlProtocol]);
  });
});
