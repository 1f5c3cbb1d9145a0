import { describe, expect, it } from "vitest";
import { answerPaths, sampleAnswers } from "./answer-paths";

const parsers = (...names: string[]) => ({ parsers: names.map((name) => ({ name, kind: "json", path: name })) });

describe("the answers a rule's templates can read", () => {
  const rules = [
    { id: "rule_B", title: "Zeta buyer", responseRules: parsers("remoteId") },
    { id: "rule_A", title: "Alpha buyer", responseRules: parsers("remoteId", "price") },
    { id: "rule_C", title: "No parser", responseRules: {} },
    { id: "rule_D", title: "Unreadable", responseRules: "not rules" },
  ];

  it("lists answers.<rule id>.<name> for each response parser, by rule title, each labelled with its rule", () => {
    expect(answerPaths(rules)).toEqual([
      { path: "answers.rule_A.remoteId", label: "Alpha buyer: remoteId" },
      { path: "answers.rule_A.price", label: "Alpha buyer: price" },
      { path: "answers.rule_B.remoteId", label: "Zeta buyer: remoteId" },
    ]);
    expect(answerPaths([])).toEqual([]);
  });

  it("gives the preview a sample value for each, grouped by rule as Lead.answers holds them", () => {
    expect(sampleAnswers(answerPaths(rules))).toEqual({ rule_A: { remoteId: "sample remoteId", price: "sample price" }, rule_B: { remoteId: "sample remoteId" } });
  });
});
