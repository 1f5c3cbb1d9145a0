import { describe, expect, it } from "vitest";
import { emptyLeadFormValues, leadFormSchema, type LeadFormValues } from "./form-values";
import { leadListWhere } from "./list";
import { emptyOutcome, webhookOutcomeText } from "./outcome";

const form = (patch: Partial<LeadFormValues>): LeadFormValues => ({ ...emptyLeadFormValues(), ...patch });

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));
}

describe("leadFormSchema", () => {
  it("turns the form into the shared lead input: blanks are null, score a number, custom rows a record", () => {
    const parsed = leadFormSchema("create").parse(
      form({ email: " Jane@Example.TEST ", firstName: "Jane", score: "42", customFields: [{ name: "source_id", value: "abc" }, { name: "", value: "" }] }),
    );
    expect(parsed).toMatchObject({ email: "jane@example.test", firstName: "Jane", lastName: null, phone: null, score: 42, customFields: { source_id: "abc" } });
  });

  it("requires an email or a phone to create, but not to update", () => {
    expect(issues(leadFormSchema("create").safeParse(form({ firstName: "Jane" })))).toEqual({ email: "A lead needs an email or a phone number." });
    expect(leadFormSchema("update").safeParse(form({ firstName: "Jane" })).success).toBe(true);
  });

  it("reports bad scores, emails and custom field names on their inputs", () => {
    expect(issues(leadFormSchema("create").safeParse(form({ email: "x@y.test", score: "4.5" })))).toEqual({ score: "Score must be a whole number." });
    expect(issues(leadFormSchema("create").safeParse(form({ email: "not-an-email" })))).toEqual({ email: "Enter a valid email address." });
    // Form-only and shared-schema problems are reported together, each on its input.
    expect(issues(leadFormSchema("create").safeParse(form({ email: "not-an-email", score: "x" })))).toEqual({ email: "Enter a valid email address.", score: "Score must be a whole number." });
    expect(issues(leadFormSchema("update").safeParse(form({ score: "2000000" })))).toEqual({ score: "Score must be between -1,000,000 and 1,000,000." });
    const rows = [{ name: "a b", value: "1" }, { name: "ok", value: "1" }, { name: "ok", value: "2" }, { name: "", value: "orphan" }];
    expect(issues(leadFormSchema("create").safeParse(form({ email: "x@y.test", customFields: rows })))).toEqual({
      "customFields.0.name": "Use letters, digits, _ . -",
      "customFields.2.name": "This name is already used.",
      "customFields.3.name": "Name this field or clear its value.",
    });
  });

  it("keeps the original type of a custom value the form did not change", () => {
    const original = { source_id: 42, vip: true, note: "x" };
    const rows = [{ name: "source_id", value: "42" }, { name: "vip", value: "false" }, { name: "note", value: "y" }];
    expect(leadFormSchema("update", original).parse(form({ customFields: rows })).customFields).toEqual({ source_id: 42, vip: "false", note: "y" });
  });
});

describe("leads list helpers", () => {
  it("summarises webhook outcomes", () => {
    expect(webhookOutcomeText(emptyOutcome())).toBe("No webhooks");
    expect(webhookOutcomeText({ ...emptyOutcome(), SUCCEEDED: 2, FAILED: 1 })).toBe("2 sent · 1 failed");
    expect(webhookOutcomeText({ ...emptyOutcome(), PENDING: 1, SKIPPED: 3 })).toBe("1 pending · 3 skipped");
  });

  it("needs every word of the filter to match some field, always within the organization", () => {
    expect(leadListWhere("org1", "  ")).toEqual({ organizationId: "org1" });
    const where = leadListWhere("org1", "jane doe");
    expect(where.organizationId).toBe("org1");
    expect(where.AND).toHaveLength(2);
  });
});
