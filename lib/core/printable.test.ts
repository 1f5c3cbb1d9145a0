import { describe, expect, it } from "vitest";
import { printable } from "./printable";

describe("printable", () => {
  it("shows control characters escaped and leaves the rest, accents and symbols included", () => {
    expect(printable("Acme\n    Evil: signing key sk_FAKE\u001b[31mRED\u001b[0m")).toBe("Acme\\u000a    Evil: signing key sk_FAKE\\u001b[31mRED\\u001b[0m");
    expect(printable("Ünïcødé € \"quoted\" tab\there")).toBe("Ünïcødé € \"quoted\" tab\\u0009here");
    expect(printable("line\u2028sep\u0085")).toBe("line\\u2028sep\\u0085");
  });

  it("shows the marks that reorder text escaped: a right-to-left override cannot make a host name read as another", () => {
    expect(printable("app-1\u202egnp.exe")).toBe("app-1\\u202egnp.exe");
    expect(printable("\u2066a\u2069 \u202ab\u202c \u200f\u200e\u061c")).toBe("\\u2066a\\u2069 \\u202ab\\u202c \\u200f\\u200e\\u061c");
    expect(printable("עברית and العربية stay as they are")).toBe("עברית and العربية stay as they are");
  });
});
