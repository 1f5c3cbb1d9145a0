import { describe, expect, it } from "vitest";
import { MAX_CELL_CHARS, fitCell, sheetText, xmlSafeText } from "./sheet-text";

describe("sheetText", () => {
  it("shows each C0 control (tab, LF, CR kept) and DEL as its control picture", () => {
    expect(xmlSafeText("a\u0000b\u0001c\u001Fd")).toBe("a\u2400b\u2401c\u241Fd");
    expect(xmlSafeText("tab\tlf\ncr\r")).toBe("tab\tlf\ncr\r");
    expect(xmlSafeText("del\u007F")).toBe("del\u2421");
  });

  it("shows noncharacters and lone surrogates as U+FFFD, keeping surrogate pairs", () => {
    expect(xmlSafeText("\uFFFE\uFFFF")).toBe("\uFFFD\uFFFD");
    expect(xmlSafeText("x\uD800y")).toBe("x\uFFFDy");
    expect(xmlSafeText("x\uDC00y")).toBe("x\uFFFDy");
    expect(xmlSafeText("\uDC00\uD800")).toBe("\uFFFD\uFFFD"); // reversed pair: both lone
    expect(xmlSafeText("end\uD83D")).toBe("end\uFFFD");
    expect(xmlSafeText("😀 \uD83D\uDE00")).toBe("😀 😀");
  });

  it("neutralises formulas after replacing what XML cannot hold", () => {
    expect(sheetText("=1+1")).toBe("'=1+1");
    expect(sheetText("@x")).toBe("'@x");
    expect(sheetText("\u0000=1")).toBe("\u2400=1");
    expect(sheetText("\t=1")).toBe("'\t=1");
  });

  it("cuts text over Excel's 32,767-character limit, saying how long it was, never halving a pair", () => {
    expect(fitCell("a".repeat(MAX_CELL_CHARS))).toHaveLength(MAX_CELL_CHARS);
    const cut = sheetText("=".repeat(MAX_CELL_CHARS)); // the quote prefix pushes it over
    expect(cut).toHaveLength(MAX_CELL_CHARS);
    expect(cut).toMatch(/^'=+ … \[cut: 32,768 characters in full\]$/);
    for (let shift = 0; shift < 2; shift++) {
      const text = sheetText("b".repeat(shift) + "😀".repeat(20_000));
      expect(text.length).toBeLessThanOrEqual(MAX_CELL_CHARS);
      expect(xmlSafeText(text)).toBe(text); // no lone surrogate left at the cut
    }
  });
});

describe("line breaks", () => {
  it("writes CRLF and lone CR as LF", () => {
    expect(sheetText("a\r\nb\rc\nd")).toBe("a\nb\nc\nd");
    expect(sheetText("\r=1")).toBe("'\n=1");
  });
});
