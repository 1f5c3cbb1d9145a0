import { describe, expect, it } from "vitest";
import { isTimeZone, mappingTargetProblems, parseMethod, parsePayloadFormat, storedHeadersSchema, storedMappingsSchema } from "./request";

describe("mappingTargetProblems", () => {
  it("reports duplicates and value/group clashes on the later mapping", () => {
    expect(mappingTargetProblems([{ target: "name" }, { target: "email" }, { target: "name.first" }, { target: "email" }])).toEqual([
      { index: 2, message: expect.stringMatching(/both a field and a group/) },
      { index: 3, message: "Each outbound field name can be used once." },
    ]);
    expect(mappingTargetProblems([{ target: "name.first" }, { target: "name.last" }, { target: "names" }])).toEqual([]);
  });
});

describe("stored request columns", () => {
  it("read an unknown method as POST and an unknown format as JSON", () => {
    expect(parseMethod("PATCH")).toBe("PATCH");
    expect(parseMethod("DELETE")).toBe("POST");
    expect(parsePayloadFormat("XML")).toBe("XML");
    expect(parsePayloadFormat("YAML")).toBe("JSON");
  });

  it("read the mappings of rules saved before mappings existed as map all fields", () => {
    expect(storedMappingsSchema.parse([])).toEqual({ mode: "all", fields: [] });
    expect(storedMappingsSchema.parse({ mode: "custom", fields: [{ target: "" }] })).toEqual({ mode: "all", fields: [] });
  });

  it("read damaged headers as none", () => {
    expect(storedHeadersSchema.parse([{ name: "X-A", value: "1" }])).toEqual([{ name: "X-A", value: "1" }]);
    expect(storedHeadersSchema.parse([{ name: "X-A" }])).toEqual([]);
  });

  it("know a time zone", () => {
    expect(isTimeZone("Europe/Paris")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});
