import { describe, expect, it } from "vitest";
import { appendQuery } from "./url";

describe("appendQuery", () => {
  it("starts a query, or continues the existing one exactly as written", () => {
    expect(appendQuery("https://x.example/p", "a=1&b=2")).toBe("https://x.example/p?a=1&b=2");
    expect(appendQuery("https://x.example/p?q=a%20b&flag", "k=v")).toBe("https://x.example/p?q=a%20b&flag&k=v");
  });

  it("adds no separator after a trailing ? or &", () => {
    expect(appendQuery("https://x.example/p?", "k=v")).toBe("https://x.example/p?k=v");
    expect(appendQuery("https://x.example/p?a=1&", "k=v")).toBe("https://x.example/p?a=1&k=v");
  });

  it("keeps the fragment at the end", () => {
    expect(appendQuery("https://x.example/p?a=1#top", "k=v")).toBe("https://x.example/p?a=1&k=v#top");
    expect(appendQuery("https://x.example/p#a?b", "k=v")).toBe("https://x.example/p?k=v#a?b");
  });

  it("leaves the URL as it is for an empty query", () => {
    expect(appendQuery("https://x.example/p?a=1#top", "")).toBe("https://x.example/p?a=1#top");
  });
});
