import { describe, expect, it } from "vitest";
import { z } from "zod";
import { chainLoop, loopMessage, parseFallbackOn, ruleChainFields, type ChainEdges } from "./chain";

const rule = (id: string, fallbackRuleId: string | null = null, linkedRuleId: string | null = null): ChainEdges => ({ id, fallbackRuleId, linkedRuleId });

describe("chainLoop", () => {
  it("finds no loop in a straight chain A → B → C", () => {
    expect(chainLoop(rule("a", "b"), [rule("b", null, "c"), rule("c")])).toBeNull();
  });

  it("names the loop back to the saved rule, through fallback and linked edges alike", () => {
    expect(chainLoop(rule("a", "b"), [rule("b", null, "c"), rule("c", "a")])).toEqual(["a", "b", "c", "a"]);
    expect(chainLoop(rule("a", null, "b"), [rule("b", "a")])).toEqual(["a", "b", "a"]);
  });

  it("refuses a rule that names itself", () => {
    expect(chainLoop(rule("a", "a"), [])).toEqual(["a", "a"]);
  });

  it("uses the saved rule's new edges, not its stored ones", () => {
    const stored = [rule("a", "b"), rule("b", "a")];
    expect(chainLoop(rule("a"), stored)).toBeNull();
    expect(chainLoop(rule("b", "c"), [rule("a", "b"), rule("c", null, "a")])).toEqual(["b", "c", "a", "b"]);
  });

  it("ignores a loop elsewhere that does not pass through the saved rule, and unknown ids", () => {
    expect(chainLoop(rule("a", "b"), [rule("b", "c"), rule("c", "b")])).toBeNull();
    expect(chainLoop(rule("a", "gone", "b"), [rule("b")])).toBeNull();
  });

  it("follows both branches (a diamond with a loop on its second path)", () => {
    expect(chainLoop(rule("a", "b", "c"), [rule("b", "d"), rule("c", "d", "a"), rule("d")])).toEqual(["a", "c", "a"]);
  });
});

describe("loopMessage", () => {
  it("shows the loop as a path", () => {
    expect(loopMessage(["A", "B", "A"])).toContain("A → B → A");
  });
});

describe("ruleChainFields", () => {
  const schema = z.object(ruleChainFields);
  it("reads empty ids as none and keeps the fallback triggers in a fixed order", () => {
    expect(schema.parse({ fallbackRuleId: "", linkedRuleId: null, fallbackOn: ["outsideWindow", "capSkipped"] })).toEqual({
      fallbackRuleId: null, linkedRuleId: null, fallbackOn: ["capSkipped", "outsideWindow"],
    });
    expect(schema.parse({})).toEqual({ fallbackRuleId: null, linkedRuleId: null, fallbackOn: [] });
  });

  it("refuses an unknown trigger", () => {
    expect(schema.safeParse({ fallbackOn: ["always"] }).success).toBe(false);
  });
});

describe("parseFallbackOn", () => {
  it("keeps the known triggers of the stored column", () => {
    expect(parseFallbackOn(["outsideWindow", "old", "capSkipped"])).toEqual(["capSkipped", "outsideWindow"]);
    expect(parseFallbackOn(null)).toEqual([]);
  });
});
