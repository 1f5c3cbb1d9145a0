import { describe, expect, it } from "vitest";
import type { LeadSnapshot } from "@/lib/domain/lead";
import type { CreationRules } from "@/lib/domain/rule";
import { creationRulesMismatch } from "./match";

const lead: LeadSnapshot = {
  id: "lead_1", email: "a@b.test", phone: null, firstName: "Ada", lastName: "Lovelace", status: "Signed Up", substatus: "Retainer Signed",
  caseType: "Auto Accident", office: "Downtown", opportunitySource: "Web Form", marketingSource: "Google Ads", caseTrackerCode: null,
  score: 10, customFields: {}, createdAt: "", updatedAt: "",
};
const any: CreationRules = { status: null, substatus: null, caseTypes: [], office: null, opportunitySource: null, marketingSource: null, requiresCaseTrackerCode: false };

describe("creation rules", () => {
  it("empty rules match any lead", () => {
    expect(creationRulesMismatch("lead.created", any, lead)).toBeNull();
  });
  it("each rule narrows, case-insensitively", () => {
    expect(creationRulesMismatch("lead.created", { ...any, status: "signed up", substatus: "Retainer Signed", caseTypes: ["Personal Injury", "Auto Accident"], office: "Downtown" }, lead)).toBeNull();
    expect(creationRulesMismatch("lead.created", { ...any, status: "Rejected" }, lead)).toBe("status is not Rejected");
    expect(creationRulesMismatch("lead.updated", { ...any, caseTypes: ["Family Law"] }, lead)).toMatch(/case type/);
    expect(creationRulesMismatch("lead.status_changed", { ...any, marketingSource: "TV" }, lead)).toMatch(/marketing source/);
    expect(creationRulesMismatch("lead.note_added", { ...any, requiresCaseTrackerCode: true }, lead)).toBe("no case tracker code");
    expect(creationRulesMismatch("lead.note_added", { ...any, requiresCaseTrackerCode: true }, { ...lead, caseTrackerCode: "CT-9" })).toBeNull();
  });
  it("triggers without creation rules match every lead", () => {
    expect(creationRulesMismatch("lead.deleted", { ...any, status: "Rejected" }, lead)).toBeNull();
  });
});
