import { describe, expect, it } from "vitest";
import type { Condition } from "@/lib/domain/rule/request";
import { conditionHolds, evaluateConditions } from "./conditions";
import { testContext, testLead } from "./testing";

const ctx = testContext(testLead({ status: "  Signed Up ", score: 12, caseTrackerCode: null, customFields: { region: "North East", zip: "02108" } }));
const c = (field: string, op: Condition["op"], value = ""): Condition => ({ field, op, value });
const holds = (cond: Condition) => conditionHolds(cond, ctx);

describe("conditions", () => {
  it("equals / not equals: trimmed and case-insensitive", () => {
    expect(holds(c("lead.status", "equals", "signed up"))).toBe(true);
    expect(holds(c("lead.status", "equals", "Signed"))).toBe(false);
    expect(holds(c("lead.score", "equals", "12.0"))).toBe(true);
    expect(holds(c("lead.status", "not_equals", "SIGNED UP"))).toBe(false);
    expect(holds(c("lead.status", "not_equals", "Rejected"))).toBe(true);
    expect(holds(c("lead.caseTrackerCode", "not_equals", "CT-1"))).toBe(true);
    expect(holds(c("lead.caseTrackerCode", "equals", "CT-1"))).toBe(false);
  });

  it("contains", () => {
    expect(holds(c("lead.customFields.region", "contains", "east"))).toBe(true);
    expect(holds(c("lead.customFields.region", "contains", "west"))).toBe(false);
    expect(holds(c("lead.caseTrackerCode", "contains", "x"))).toBe(false);
  });

  it("greater / less than compare numbers; a missing or non-numeric value fails both", () => {
    expect(holds(c("lead.score", "gt", "10"))).toBe(true);
    expect(holds(c("lead.score", "gt", "12"))).toBe(false);
    expect(holds(c("lead.score", "lt", "12.5"))).toBe(true);
    expect(holds(c("lead.customFields.zip", "gt", "2000"))).toBe(true);
    expect(holds(c("lead.caseTrackerCode", "gt", "-1"))).toBe(false);
    expect(holds(c("lead.caseTrackerCode", "lt", "1"))).toBe(false);
    expect(holds(c("lead.status", "gt", "1"))).toBe(false);
  });

  it("empty / not empty", () => {
    expect(holds(c("lead.caseTrackerCode", "empty"))).toBe(true);
    expect(holds(c("lead.customFields.nothing", "empty"))).toBe(true);
    expect(holds(c("lead.status", "empty"))).toBe(false);
    expect(holds(c("lead.status", "not_empty"))).toBe(true);
    expect(holds(c("lead.caseTrackerCode", "not_empty"))).toBe(false);
  });

  it("equals / in: ids beyond a double's precision compare digit for digit, never as rounded numbers", () => {
    // The API asks for such ids as strings to keep every digit; a condition must not then match a neighbour.
    const big = testContext(testLead({ customFields: { ext_id: "9007199254740993", other: "1152921506151679042" } }));
    expect(conditionHolds(c("lead.customFields.ext_id", "equals", "9007199254740992"), big)).toBe(false);
    expect(conditionHolds(c("lead.customFields.ext_id", "equals", "9007199254740993"), big)).toBe(true);
    expect(conditionHolds(c("lead.customFields.ext_id", "not_equals", "9007199254740992"), big)).toBe(true);
    expect(conditionHolds(c("lead.customFields.other", "in", "1152921506151679000, 7"), big)).toBe(false);
    expect(conditionHolds(c("lead.customFields.ext_id", "equals", "0.1000000000000000055511151231257827"), testContext(testLead({ customFields: { ext_id: "0.1" } })))).toBe(false);
  });

  it("in: a comma-separated list, each item compared like equals", () => {
    expect(holds(c("lead.status", "in", "New, signed up ,Retained"))).toBe(true);
    expect(holds(c("lead.status", "in", "New,Retained"))).toBe(false);
    expect(holds(c("lead.caseTrackerCode", "in", "a,b"))).toBe(false);
  });

  it("no conditions: send", () => {
    expect(evaluateConditions({ match: "all", items: [] }, ctx)).toBeNull();
  });

  it("all: sends when every condition holds, else names the first that failed", () => {
    expect(evaluateConditions({ match: "all", items: [c("lead.score", "gt", "10"), c("lead.status", "equals", "signed up")] }, ctx)).toBeNull();
    expect(evaluateConditions({ match: "all", items: [c("lead.status", "not_empty"), c("lead.score", "gt", "50"), c("lead.office", "equals", "Nowhere")] }, ctx)).toBe(
      "Skipped: lead.score (12) is not greater than 50",
    );
  });

  it("any: sends when one holds, else lists every failed condition", () => {
    expect(evaluateConditions({ match: "any", items: [c("lead.score", "gt", "50"), c("lead.status", "equals", "signed up")] }, ctx)).toBeNull();
    expect(
      evaluateConditions({ match: "any", items: [c("lead.score", "gt", "50"), c("lead.caseTrackerCode", "not_empty"), c("lead.status", "in", "New, Retained")] }, ctx),
    ).toBe("Skipped: no condition matched: lead.score (12) is not greater than 50; lead.caseTrackerCode (empty) is empty; lead.status (Signed Up) is not one of New, Retained");
  });

  it("reasons for each operator", () => {
    const reason = (cond: Condition) => evaluateConditions({ match: "all", items: [cond] }, ctx);
    expect(reason(c("lead.status", "equals", "New"))).toBe("Skipped: lead.status (Signed Up) does not equal New");
    expect(reason(c("lead.status", "not_equals", "signed up"))).toBe("Skipped: lead.status (Signed Up) equals signed up");
    expect(reason(c("lead.customFields.region", "contains", "west"))).toBe("Skipped: lead.customFields.region (North East) does not contain west");
    expect(reason(c("lead.score", "lt", "5"))).toBe("Skipped: lead.score (12) is not less than 5");
    expect(reason(c("lead.status", "empty"))).toBe("Skipped: lead.status (Signed Up) is not empty");
  });
});
