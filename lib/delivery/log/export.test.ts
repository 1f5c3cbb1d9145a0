import { describe, expect, it } from "vitest";
import { csvCell, deliveriesExportFilename, deliveryCsvLine } from "./export";
import type { ListedDelivery } from "./queries";

const delivery = (answer: ListedDelivery["answer"]): ListedDelivery => ({
  id: "dlv_1", rule: { id: "rule_1", title: "Buyer, East" }, event: { type: "lead.created", label: "Lead Created" },
  lead: { id: "lead_1", email: "ada@example.test", name: "Ada" }, state: "SUCCEEDED", isTest: false, duplicateOfId: null, attemptCount: 1, lastStatusCode: 200, lastError: null,
  nextAttemptAt: null, answer, createdAt: new Date("2026-11-30T10:00:00Z"), updatedAt: new Date("2026-11-30T10:00:01Z"),
});

describe("the delivery log's CSV export", () => {
  it("writes the answer's remoteId, result, reason and price in their columns, other values as JSON", () => {
    expect(deliveryCsvLine(delivery({ remoteId: "A-17", result: "accepted", price: "12.50", tier: "gold" }))).toBe(
      'dlv_1,2026-11-30T10:00:00.000Z,"Buyer, East",lead.created,ada@example.test,SUCCEEDED,,,1,200,,A-17,accepted,,12.50,"{""tier"":""gold""}"\r\n',
    );
    expect(deliveryCsvLine(delivery(null))).toBe('dlv_1,2026-11-30T10:00:00.000Z,"Buyer, East",lead.created,ada@example.test,SUCCEEDED,,,1,200,,,,,,\r\n');
  });

  it("keeps a spreadsheet from running a client's text as a formula", () => {
    expect(csvCell("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"");
    expect(csvCell("+1 555")).toBe("'+1 555");
    expect(csvCell("-cmd")).toBe("'-cmd");
    expect(csvCell("-12.5")).toBe("-12.5");
    expect(csvCell(null)).toBe("");
    expect(csvCell(404)).toBe("404");
  });

  it("names the file by the UTC date", () => {
    expect(deliveriesExportFilename(new Date("2026-11-30T23:59:00Z"))).toBe("deliveries-2026-11-30.csv");
  });

  it("marks a test send and a duplicate with the delivery it repeats", () => {
    const line = deliveryCsvLine({ ...delivery(null), state: "SKIPPED", isTest: true, duplicateOfId: "dlv_0" });
    expect(line.split(",").slice(6, 9)).toEqual(["SKIPPED", "yes", "dlv_0"]);
  });
});
