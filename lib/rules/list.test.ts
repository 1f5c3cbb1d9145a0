import { describe, expect, it } from "vitest";
import { creationRulesSummary, eventsMatching, parseRuleListParams, ruleListOrderBy, ruleListWhere } from "./list";

describe("parseRuleListParams", () => {
  it("defaults to title ascending, page 1, 25 rows", () => {
    expect(parseRuleListParams({})).toEqual({ q: "", sort: "title", dir: "asc", page: 1, size: 25 });
    expect(parseRuleListParams(undefined)).toEqual({ q: "", sort: "title", dir: "asc", page: 1, size: 25 });
  });

  it("reads valid values from search params", () => {
    expect(parseRuleListParams(new URLSearchParams("q=%20zapier%20&sort=updated&dir=desc&page=3&size=50"))).toEqual({ q: "zapier", sort: "updated", dir: "desc", page: 3, size: 50 });
  });

  it("falls back to defaults for unknown or malformed values instead of failing", () => {
    expect(parseRuleListParams({ sort: "password", dir: "sideways", page: "-2", size: "1000000" })).toEqual({ q: "", sort: "title", dir: "asc", page: 1, size: 25 });
    expect(parseRuleListParams({ page: "abc", size: "7" })).toMatchObject({ page: 1, size: 25 });
    expect(parseRuleListParams({ page: "2.5" })).toMatchObject({ page: 1 });
  });

  it("takes the first of repeated keys and caps the filter length", () => {
    expect(parseRuleListParams({ sort: ["url", "title"], q: "x".repeat(500) })).toMatchObject({ sort: "url", q: "x".repeat(200) });
  });
});

describe("creationRulesSummary", () => {
  it("lists every creation rule in a fixed order", () => {
    expect(
      creationRulesSummary({
        events: ["lead.status_changed"],
        status: { name: "Signed Up" },
        substatus: { name: "Retainer Signed" },
        caseTypes: [{ name: "Personal Injury", position: 1 }, { name: "Auto Accident", position: 0 }],
        office: { name: "Downtown" },
        opportunitySource: { name: "Web Form" },
        marketingSource: { name: "Google Ads" },
        requiresCaseTrackerCode: true,
      }),
    ).toBe("Status: Signed Up › Retainer Signed · Case types: Auto Accident, Personal Injury · Office: Downtown · Opportunity source: Web Form · Marketing source: Google Ads · Requires case tracker code");
  });

  it("uses the singular for one case type and omits what is not set", () => {
    expect(creationRulesSummary({ events: ["lead.created"], caseTypes: [{ name: "Family Law" }], office: null })).toBe("Case type: Family Law");
    expect(creationRulesSummary({ events: ["lead.created"], status: { name: "New" } })).toBe("Status: New");
  });

  it('says "Any lead" when nothing narrows the rule', () => {
    expect(creationRulesSummary({ events: ["lead.created"], caseTypes: [], requiresCaseTrackerCode: false })).toBe("Any lead");
  });

  it('shows "—" for triggers without creation rules', () => {
    expect(creationRulesSummary({ events: ["lead.deleted"], status: { name: "New" } })).toBe("—");
    expect(creationRulesSummary({ events: [] })).toBe("—");
  });
});

describe("filter and order", () => {
  it("maps filter text to the events whose label or name contains it", () => {
    expect(eventsMatching("status")).toEqual(["lead.status_changed"]);
    expect(eventsMatching("LEAD C").sort()).toEqual(["lead.converted", "lead.created"]);
    expect(eventsMatching("  ")).toEqual([]);
    expect(eventsMatching("zapier")).toEqual([]);
  });

  it("always scopes to the organization and only adds an event clause when a label matches", () => {
    expect(ruleListWhere("org_1", "")).toEqual({ organizationId: "org_1" });
    const w = ruleListWhere("org_1", "edited");
    expect(w.organizationId).toBe("org_1");
    expect(w.OR).toContainEqual({ events: { hasSome: ["lead.updated"] } });
    expect(ruleListWhere("org_1", "hooks.zapier").OR).toHaveLength(2);
  });

  it("sorts by the mapped column with id as a tiebreaker", () => {
    expect(ruleListOrderBy("status", "desc")).toEqual([{ enabled: "desc" }, { id: "desc" }]);
    expect(ruleListOrderBy("created", "asc")).toEqual([{ createdAt: "asc" }, { id: "asc" }]);
  });
});
