import { describe, expect, it } from "vitest";
import type { RuleRequestRow } from "@/lib/domain/rule";
import { USER_AGENT } from "@/lib/delivery/render/request";
import { testEnvelope, testLead } from "@/lib/delivery/render/testing";
import { freezeDelivery } from "./freeze";

const NOW = new Date("2026-03-05T15:00:00.000Z"); // a Thursday, 10:00 in New York
const keys = { id: "dlv_1", organizationId: "org_1", ruleId: "rule_1", eventId: "evt_1", leadId: "lead_1" };
const row = (overrides: Partial<RuleRequestRow> = {}): RuleRequestRow => ({
  url: "https://hooks.example.com/leads", method: "POST", headers: [], fieldMappings: [], payloadFormat: "JSON", payloadTemplate: null,
  wrapInEnvelope: true, conditions: {}, timeWindow: null, ...overrides,
});
const envelope = testEnvelope();

describe("freezeDelivery", () => {
  it("freezes the rendered request on a delivery due now", () => {
    const d = freezeDelivery(keys, row(), envelope, NOW);
    expect(d).toMatchObject({ ...keys, createdAt: NOW, url: "https://hooks.example.com/leads", method: "POST", nextAttemptAt: NOW });
    expect(d.requestHeaders).toEqual({ "content-type": "application/json", "user-agent": USER_AGENT });
    expect(JSON.parse(d.requestBody)).toMatchObject({ id: envelope.id, data: { lead: { id: envelope.data.lead!.id } } });
    expect(d).not.toHaveProperty("state"); // PENDING, the column's default
  });

  it("outside a waiting sending window, is due when the window opens", () => {
    const timeWindow = { enabled: true, days: [1, 2, 3, 4, 5], start: "18:00", end: "20:00", timezone: "America/New_York", outside: "wait", alternateUrl: "" };
    expect(freezeDelivery(keys, row({ timeWindow }), envelope, NOW).nextAttemptAt).toEqual(new Date("2026-03-05T23:00:00.000Z"));
  });

  it("skips a lead the conditions refuse, saying why, with the request still frozen and the skip marked as the conditions'", () => {
    const conditions = { match: "all", items: [{ field: "lead.score", op: "gt", value: "50" }] };
    const d = freezeDelivery(keys, row({ conditions }), testEnvelope(testLead({ score: 12 })), NOW);
    expect(d).toMatchObject({ state: "SKIPPED", skipKind: "CONDITIONS", lastError: "Skipped: lead.score (12) is not greater than 50", completedAt: NOW, nextAttemptAt: null });
    expect(d.requestHeaders).toMatchObject({ "user-agent": USER_AGENT });
    expect(d.requestBody).not.toBe("");
  });

  it("fails a request that cannot be rendered, with the rule's URL and nothing frozen", () => {
    const d = freezeDelivery(keys, row({ url: "https://x.example.com/{{ lead.email", method: "PUT" }), envelope, NOW);
    expect(d).toMatchObject({
      state: "FAILED", url: "https://x.example.com/{{ lead.email", method: "PUT", requestHeaders: {}, requestBody: "", completedAt: NOW, nextAttemptAt: null,
      lastError: expect.stringMatching(/^The request could not be rendered: /),
    });
  });
});
