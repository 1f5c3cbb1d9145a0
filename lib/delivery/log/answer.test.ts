import { describe, expect, it } from "vitest";
import { answerEntries, answerSummary } from "./answer";

describe("the client's answer in the delivery list", () => {
  it("puts remoteId, result, reason and price first, in the export's order, then the other values", () => {
    expect(answerEntries({ tier: "gold", price: "12.5", remoteId: "A-17", result: "accepted" })).toEqual([
      ["remoteId", "A-17"],
      ["result", "accepted"],
      ["price", "12.5"],
      ["tier", "gold"],
    ]);
  });

  it("shows the values in one line and every name with its value on hover", () => {
    expect(answerSummary({ result: "rejected", reason: "duplicate", remoteId: "B-2" })).toEqual({
      shown: "B-2 · rejected · duplicate",
      all: "remoteId: B-2\nresult: rejected\nreason: duplicate",
    });
    expect(answerSummary({ lead_id: "77" })).toEqual({ shown: "77", all: "lead_id: 77" });
  });

  it("is absent without a value", () => {
    expect(answerSummary(null)).toBeNull();
    expect(answerSummary({})).toBeNull();
    expect(answerSummary({ remoteId: "" })).toBeNull();
  });
});
