import { describe, expect, it } from "vitest";
import { storableJson, storableText, unstorableValues } from "./storable";

describe("storableText / storableJson (text recorded from receivers)", () => {
  it("replaces NUL and lone surrogates with U+FFFD and keeps whole characters", () => {
    expect(storableText("a\u0000b\ud800c\udc00d\u{1F600}")).toBe("a\uFFFDb\uFFFDc\uFFFDd\u{1F600}");
    expect(storableText(`${"a".repeat(3)}\u{1F600}`.slice(0, 4))).toBe("aaa\uFFFD"); // an emoji cut in two
  });

  it("cleans every string of a JSON value, keys too, so the result is storable", () => {
    const value = { "k\u0000": ["\ud800", { n: 1, s: "ok" }], t: true, z: null };
    const out = storableJson(value);
    expect(out).toEqual({ "k\uFFFD": ["\uFFFD", { n: 1, s: "ok" }], t: true, z: null });
    expect(unstorableValues(out)).toEqual([]);
  });
});
