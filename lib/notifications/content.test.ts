import { describe, expect, it } from "vitest";
import { capReachedContent, errorReportContent, isReportableFailure, statusLabel, statusSummary, warningContent, warningLevelFor, warningPoints } from "./content";

describe("warning levels", () => {
  it("warns at 50, 75 and 90 % of the threshold, never at or past the threshold itself", () => {
    expect(warningPoints(50)).toEqual([{ level: 50, at: 25 }, { level: 75, at: 38 }, { level: 90, at: 45 }]);
    expect(warningPoints(4)).toEqual([{ level: 50, at: 2 }, { level: 75, at: 3 }]);
    expect(warningPoints(2)).toEqual([{ level: 50, at: 1 }]);
    expect(warningPoints(1)).toEqual([]);
  });

  it("gives the highest level reached, so a jump past several sends one warning", () => {
    expect(warningLevelFor(1, 4)).toBe(0);
    expect(warningLevelFor(2, 4)).toBe(50);
    expect(warningLevelFor(3, 4)).toBe(75);
    expect(warningLevelFor(44, 50)).toBe(75);
    expect(warningLevelFor(45, 50)).toBe(90);
  });
});

describe("what counts and how it reads", () => {
  it("reports statuses of 300 or more and no-response errors (MetaLocator's list), not 2xx", () => {
    expect(isReportableFailure(200, null)).toBe(false);
    expect(isReportableFailure(302, null)).toBe(true);
    expect(isReportableFailure(500, null)).toBe(true);
    expect(isReportableFailure(999, "dns")).toBe(true);
    expect(isReportableFailure(null, null)).toBe(false);
  });

  it("names statuses as people read them, most frequent first", () => {
    expect(statusLabel(500, null)).toBe("HTTP 500");
    expect(statusLabel(999, "tls")).toBe("no response: TLS certificate error");
    expect(statusSummary([{ statusCode: 500, errorClass: null, count: 1 }, { statusCode: 503, errorClass: null, count: 4 }])).toBe("HTTP 503, HTTP 500");
    const many = [500, 501, 502, 503, 504].map((statusCode) => ({ statusCode, errorClass: null, count: 1 }));
    expect(statusSummary(many)).toBe("HTTP 500, HTTP 501, HTTP 502 and 2 more");
  });

  it("titles a report with the rule, the count and the statuses, on one line", () => {
    const data = { ruleTitle: "CRM\nsync", count: 1, since: null, first: "2026-01-05T14:03:22.000Z", last: "2026-01-05T14:03:22.000Z", statuses: [{ statusCode: 500, errorClass: null, count: 1 }], recent: [] };
    const c = errorReportContent(data);
    expect(c.title).toBe('Rule "CRM sync": 1 failed delivery (HTTP 500)');
    expect(c.body).toBe('1 delivery attempt of rule "CRM sync" failed at 2026-01-05 14:03:22 UTC: HTTP 500 ×1.');
    expect(warningContent({ ruleTitle: "X", failures: 25, threshold: 50, level: 50 }).body).toMatch(/^Rule "X" has failed 25 times in a row; it will be disabled after 50\./);
  });

  it("shortens a long rule title without cutting an emoji in two (half of one is not storable text)", () => {
    const title = warningContent({ ruleTitle: `x${"\u{1F600}".repeat(100)}`, failures: 25, threshold: 50, level: 50 }).title;
    expect(title).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(title).toContain(`"x${"\u{1F600}".repeat(59)}"`);
  });
});

describe("cap reached", () => {
  it("names the rule, the cap, the reset and what happens meanwhile", () => {
    const data = { ruleTitle: "Acme CRM", cap: "daily cap of 500 deliveries", resetsAt: "2026-11-27T05:00:00.000Z", action: "hold" as const };
    expect(capReachedContent(data)).toEqual({
      title: 'Rule "Acme CRM" reached its daily cap of 500 deliveries',
      body: 'Rule "Acme CRM" reached its daily cap of 500 deliveries; the period resets at 2026-11-27 05:00:00 UTC. New deliveries are held and sent once it resets.',
      data,
    });
    expect(capReachedContent({ ...data, action: "skip" }).body).toContain("New deliveries are skipped until then");
  });
});
