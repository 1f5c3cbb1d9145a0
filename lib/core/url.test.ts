import { describe, expect, it } from "vitest";
import { appendQuery, hostOf } from "./url";

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

describe("hostOf", () => {
  it("is the host and port in lower case, without user info or the scheme's default port", () => {
    expect(hostOf("https://User:pw@CRM.Example.test:8443/hook?x=1")).toBe("crm.example.test:8443");
    expect(hostOf("https://crm.example.test:443/hook")).toBe("crm.example.test");
    expect(hostOf("http://[::1]:3000/")).toBe("[::1]:3000");
  });

  it("is empty for what is not a URL", () => {
    expect(hostOf("not a url")).toBe("");
    expect(hostOf("")).toBe("");
  });
});
