import { describe, expect, it } from "vitest";
import { withoutCredentials } from "./outbound-url";

// withoutCredentials works on the text (a template's {{ }} must survive), so it must find the
// user name and password wherever a URL parser would: the password must be gone from whatever a
// parser makes of the result, and from the text itself.

describe("withoutCredentials", () => {
  it.each([
    "https://u:pa55@h.example/x",
    "HTTPS://u:pa55@h.example/x",
    "  https://u:pa55@h.example/x",
    "https:u:pa55@h.example/x",
    "https:\\\\u:pa55@h.example/x",
    "https://u:pa55@h.example\\@x/y",
    "https://u:pa55@h.example#@x",
    "https://u:pa55@evil@h.example/x",
    "https://u:pa\t55@h.example/x",
    "\u0001https://u:pa55@h.example/x",
    "\u0000 https://u:pa55@h.example/x",
    "ht\ttps://u:pa55@h.example/x",
    "https:\n//u:pa55@h.example/x",
    "https://u:pa55@h.example/{{ lead.office }}",
  ])("takes the password out of %j", (raw) => {
    const parsed = new URL(raw.replace(/\{\{[^}]*\}\}/g, "x"));
    expect(parsed.password).toContain("pa55"); // the parser sees it…
    const out = withoutCredentials(raw);
    expect(out.replace(/\s/g, "")).not.toContain("pa55"); // …and it is gone
    const after = new URL(out.replace(/\{\{[^}]*\}\}/g, "x"));
    expect([after.username, after.password, after.hostname]).toEqual(["", "", "h.example"]);
  });

  it("keeps a URL without credentials, and a template's {{ }}, as written", () => {
    for (const raw of ["https://h.example/x?a=@b", "https://h.example/{{ lead.office }}/x", "not a url"]) expect(withoutCredentials(raw)).toBe(raw);
  });
});
