import { describe, expect, it } from "vitest";
import { unstorableTextReason } from "@/lib/core/storable";
import { likeLiteral, MAX_FILTER_LENGTH, parseTableParams, patchSearchParams, showingText, tableParamsSchema } from "./list-params";

describe("patchSearchParams", () => {
  it("resets to page 1 whenever anything but the page changes", () => {
    expect(patchSearchParams(new URLSearchParams("q=a&page=4"), { q: "ab" })).toBe("?q=ab");
    expect(patchSearchParams(new URLSearchParams("page=4&sort=url"), { sort: "title", dir: "desc" })).toBe("?sort=title&dir=desc");
  });

  it("keeps the other params when paging and drops page=1 and empty values", () => {
    expect(patchSearchParams(new URLSearchParams("q=zap&sort=url"), { page: 3 })).toBe("?q=zap&sort=url&page=3");
    expect(patchSearchParams(new URLSearchParams("q=zap&page=3"), { page: 1 })).toBe("?q=zap");
    expect(patchSearchParams(new URLSearchParams("q=zap"), { q: "" })).toBe("");
  });
});

describe("showingText", () => {
  it("describes the visible range", () => {
    expect(showingText(1, 25, 132)).toBe("Showing 1–25 of 132");
    expect(showingText(6, 25, 132)).toBe("Showing 126–132 of 132");
    expect(showingText(1, 25, 0)).toBe("Showing 0 of 0");
  });
});

describe("parseTableParams", () => {
  it("shortens a long filter without cutting a character in two (half an emoji is a lone surrogate)", () => {
    const schema = tableParamsSchema({ sortKeys: ["created"], defaultSort: "created" });
    const q = parseTableParams(schema, { q: `${"a".repeat(MAX_FILTER_LENGTH - 1)}\u{1F600}tail` }).q;
    expect(unstorableTextReason(q)).toBeNull();
    expect(q).toBe("a".repeat(MAX_FILTER_LENGTH - 1));
  });
});

describe("likeLiteral", () => {
  it("escapes LIKE's wildcards and its escape character, and nothing else", () => {
    expect(likeLiteral("100%_off\\x")).toBe("100\\%\\_off\\\\x");
    expect(likeLiteral("Ada Lovelace é-1")).toBe("Ada Lovelace é-1");
  });
});
