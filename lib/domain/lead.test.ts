import { describe, expect, it } from "vitest";
import { leadAnswers } from "./lead";

describe("the lead's kept answers", () => {
  it("reads {rule id: {name: text}} back, leaving anything else out", () => {
    expect(leadAnswers({ rule_a: { remoteId: "A-17", result: "accepted" } })).toEqual({ rule_a: { remoteId: "A-17", result: "accepted" } });
    expect(leadAnswers({ rule_a: { remoteId: 5, result: "ok" }, rule_b: "x", rule_c: [], rule_d: { n: null } })).toEqual({ rule_a: { result: "ok" } });
    for (const stored of [null, undefined, "x", [], 3]) expect(leadAnswers(stored)).toEqual({});
  });
});
