import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fieldErrorsOf } from "./field-errors";

describe("fieldErrorsOf", () => {
  it("groups messages by the dotted path, in order, and puts whole-input issues under the root key", () => {
    const issues = [
      { path: ["contact", "email"], message: "Invalid email" },
      { path: ["items", 0, "name"], message: "Required" },
      { path: ["contact", "email"], message: "Too long" },
      { path: [], message: "Nothing to save" },
    ];
    expect(fieldErrorsOf(issues, "_form")).toEqual({
      "contact.email": ["Invalid email", "Too long"],
      "items.0.name": ["Required"],
      _form: ["Nothing to save"],
    });
    expect(fieldErrorsOf([{ path: [], message: "Not an object" }], "_body")).toEqual({ _body: ["Not an object"] });
  });

  it("reads a zod error's issues", () => {
    const parsed = z.object({ name: z.string().min(1, "Name is required"), tags: z.array(z.string()) }).safeParse({ name: "", tags: [1] });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(fieldErrorsOf(parsed.error.issues, "_form")).toEqual({ name: ["Name is required"], "tags.0": [expect.any(String)] });
  });

  it("is empty without issues", () => {
    expect(fieldErrorsOf([], "_form")).toEqual({});
  });
});
