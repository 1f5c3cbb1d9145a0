import { describe, expect, it } from "vitest";
import { formatPhone } from "./phone";

describe("phone formats", () => {
  it("writes North American numbers in E.164 with the default calling code 1", () => {
    expect(formatPhone("(617) 555-0142", "e164")).toBe("+16175550142");
    expect(formatPhone("617.555.0142", "e164", "+1")).toBe("+16175550142");
    expect(formatPhone("1 617 555 0142", "e164")).toBe("+16175550142");
    expect(formatPhone("+1 (617) 555-0142", "e164")).toBe("+16175550142");
  });

  it("writes the national format", () => {
    expect(formatPhone("+16175550142", "national")).toBe("(617) 555-0142");
    expect(formatPhone("6175550142", "national", "1")).toBe("(617) 555-0142");
    expect(formatPhone("+44 20 7946 0958", "national", "+44")).toBe("02079460958");
    expect(formatPhone("020 7946 0958", "e164", "+44")).toBe("+442079460958");
  });

  it("keeps a number of another country whole", () => {
    expect(formatPhone("+44 20 7946 0958", "e164")).toBe("+442079460958");
    expect(formatPhone("0044 20 7946 0958", "national")).toBe("+442079460958");
  });

  it("returns what it cannot read unchanged, never throwing", () => {
    for (const v of ["", "n/a", "555-0142", "617 555 0142 ext 9", "+123", "0123456789", "+1 (117) 555-0142"]) {
      expect(formatPhone(v, "e164")).toBe(v);
      expect(formatPhone(v, "national")).toBe(v);
    }
    // An unreadable calling code setting reads as 1.
    expect(formatPhone("6175550142", "e164", "abc")).toBe("+16175550142");
  });
});
