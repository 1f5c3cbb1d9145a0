import { describe, expect, it } from "vitest";
import { duplicateKey, duplicateSuppressionSchema, DUPLICATE_MESSAGES, duplicateReason, duplicateWindowStart, normalizeEmail, normalizePhone, parseDuplicateSuppression, storedDuplicateSuppression, type DuplicateSuppression } from "./duplicates";

const lead = { id: "lead_1", email: "  Ann@Example.COM ", phone: "+1 (555) 010-2030", customFields: { ssn: " 123 ", nested: { a: 1 } }, caseTrackerCode: "CT-9", score: 7 };
const by = (match: DuplicateSuppression["match"], field: string | null = null): DuplicateSuppression => ({ match, field, days: 30 });

describe("duplicate suppression", () => {
  it("normalizes emails (trimmed, lower case) and phones (digits only)", () => {
    expect(normalizeEmail("  Ann@Example.COM ")).toBe("ann@example.com");
    expect(normalizePhone("+1 (555) 010-2030")).toBe("15550102030");
    expect(normalizePhone("n/a")).toBe("");
  });

  it("keys a lead by what the rule matches on", () => {
    expect(duplicateKey(by("lead"), lead)).toBe("lead:lead_1");
    expect(duplicateKey(by("email"), lead)).toBe("email:ann@example.com");
    expect(duplicateKey(by("phone"), lead)).toBe("phone:15550102030");
    expect(duplicateKey(by("field", "caseTrackerCode"), lead)).toBe("caseTrackerCode:CT-9");
    expect(duplicateKey(by("field", "score"), lead)).toBe("score:7");
    expect(duplicateKey(by("field", "customFields.ssn"), lead)).toBe("customFields.ssn:123");
  });

  it("has no key when there is nothing to compare (never a duplicate) or when off", () => {
    expect(duplicateKey(by("off"), lead)).toBeNull();
    expect(duplicateKey(by("email"), { ...lead, email: "  " })).toBeNull();
    expect(duplicateKey(by("phone"), { ...lead, phone: null })).toBeNull();
    expect(duplicateKey(by("field", "customFields.nested"), lead)).toBeNull();
    expect(duplicateKey(by("field", "customFields.missing"), lead)).toBeNull();
    expect(duplicateKey(by("field", null), lead)).toBeNull();
  });

  it("counts earlier deliveries created within the last N days", () => {
    const now = new Date("2026-11-30T12:00:00.000Z");
    expect(duplicateWindowStart({ days: 30 }, now).toISOString()).toBe("2026-10-31T12:00:00.000Z");
    expect(duplicateWindowStart({ days: 1 }, now).toISOString()).toBe("2026-11-29T12:00:00.000Z");
  });

  it("reads the stored setting (null or unreadable: off) and stores off as null", () => {
    expect(parseDuplicateSuppression(null)).toEqual({ match: "off", field: null, days: 30 });
    expect(parseDuplicateSuppression({ match: "bogus" }).match).toBe("off");
    expect(parseDuplicateSuppression({ match: "email", days: 7 })).toEqual({ match: "email", field: null, days: 7 });
    expect(storedDuplicateSuppression(by("off"))).toBeNull();
    expect(storedDuplicateSuppression(by("phone"))).toEqual(by("phone"));
  });

  it("accepts a lead field or customFields.<name> to match on, and days from 1 to 365", () => {
    const issues = (v: unknown) => duplicateSuppressionSchema.safeParse(v).error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`) ?? [];
    expect(issues({ match: "field", field: "caseTrackerCode", days: 365 })).toEqual([]);
    expect(issues({ match: "field", field: "customFields.ssn", days: 1 })).toEqual([]);
    expect(issues({ match: "field", field: "customFields", days: 1 })).toEqual([`field: ${DUPLICATE_MESSAGES.field}`]);
    expect(issues({ match: "field", field: "", days: 1 })).toEqual([`field: ${DUPLICATE_MESSAGES.field}`]);
    expect(issues({ match: "email", field: "", days: 0 })).toEqual([`days: ${DUPLICATE_MESSAGES.days}`]);
    expect(issues({ match: "email", days: 1.5 })).toEqual([`days: ${DUPLICATE_MESSAGES.days}`]);
    expect(duplicateSuppressionSchema.parse({ match: "email", field: "" }).field).toBeNull();
  });

  it("says why a delivery was skipped, naming the earlier one", () => {
    expect(duplicateReason({ match: "email", field: null, days: 1 }, "dlv_1")).toBe("Duplicate: this rule sent a lead with the same email within 1 day (delivery dlv_1)");
    expect(duplicateReason(by("field", "customFields.ssn"), "dlv_2")).toContain("the same customFields.ssn within 30 days");
    expect(duplicateReason(by("lead"), "dlv_3")).toContain("sent the same lead");
  });
});
