import { describe, expect, it } from "vitest";
import { chainNote, inChainOrder } from "./chain";

describe("chainNote", () => {
  it("names the parent's rule and, for a fallback, why it passed the lead on", () => {
    expect(chainNote("FALLBACK", { ruleTitle: "Main", state: "FAILED", lastError: "HTTP 400" })).toBe("Fallback of Main (failed: HTTP 400)");
    expect(chainNote("FALLBACK", { ruleTitle: "Main", state: "SKIPPED", lastError: "Skipped: the rule's hourly cap of 5 deliveries is reached" })).toBe(
      "Fallback of Main (skipped: the rule's hourly cap of 5 deliveries is reached)",
    );
    expect(chainNote("FALLBACK", { ruleTitle: "Main", state: "FAILED", lastError: null })).toBe("Fallback of Main (failed)");
    expect(chainNote("LINKED", { ruleTitle: "Main", state: "SUCCEEDED", lastError: null })).toBe("Linked after Main");
  });
});

describe("inChainOrder", () => {
  const row = (deliveryId: string, parentDeliveryId: string | null = null) => ({ deliveryId, parentDeliveryId });

  it("puts each chained delivery right after its parent, one level deeper", () => {
    const rows = [row("c", "b"), row("x"), row("b", "a"), row("a")];
    expect(inChainOrder(rows).map((r) => [r.deliveryId, r.depth])).toEqual([["x", 0], ["a", 0], ["b", 1], ["c", 2]]);
  });

  it("keeps a chained delivery whose parent is not listed at the top level", () => {
    expect(inChainOrder([row("b", "gone"), row("a")]).map((r) => [r.deliveryId, r.depth])).toEqual([["b", 0], ["a", 0]]);
  });

  it("loses no row of a cycle", () => {
    expect(inChainOrder([row("a", "b"), row("b", "a")]).map((r) => r.deliveryId).sort()).toEqual(["a", "b"]);
  });
});
