import { describe, expect, it } from "vitest";
import { localPath } from "./local-path";

const APP = "http://localhost:3000";

describe("localPath", () => {
  it("keeps relative paths with their query and fragment", () => {
    expect(localPath("/login", APP)).toBe("/login");
    expect(localPath("/rules?page=2#top", APP)).toBe("/rules?page=2#top");
    expect(localPath("/leads/abc")).toBe("/leads/abc");
  });

  it("cuts an absolute URL of the app's own origin to its path", () => {
    expect(localPath("http://localhost:3000/login", APP)).toBe("/login");
    expect(localPath("http://localhost:3000", APP)).toBe("/");
  });

  it.each([
    "//evil.test/login",
    "/\\evil.test",
    "/\t/evil.test",
    "/\n/evil.test",
    "\\\\evil.test",
    "https://evil.test/login",
    "http://localhost:3001/login",
    "https://localhost:3000/login",
    "javascript:alert(1)",
    "data:text/html,x",
  ])("refuses %j, which leaves the app", (url) => {
    expect(localPath(url, APP)).toBeNull();
    expect(localPath(url)).toBeNull();
  });

  it("never returns a path a browser would read as another host", () => {
    expect(localPath("http://localhost:3000//evil.test/x", APP)).toBe("/evil.test/x");
    expect(localPath("/%2F/evil.test", APP)).toBe("/%2F/evil.test");
  });
});
