import { describe, expect, it } from "vitest";
import { z } from "zod";
import { mapping } from "@/lib/delivery/render/testing";
import { emptyRequestForm, refineRequest } from "./request";

describe("refineRequest", () => {
  it("reports clashing outbound names on the later mapping", () => {
    const schema = z.object({ v: z.unknown() }).superRefine((_, ctx) =>
      refineRequest({ ...emptyRequestForm(), mappingMode: "custom", fieldMappings: [mapping({ target: "name.first", value: "lead.firstName" }), mapping({ target: "name", value: "lead.lastName" })] }, ctx),
    );
    const issues = schema.safeParse({ v: 1 }).error?.issues ?? [];
    expect(issues.map((i) => i.path.join("."))).toEqual(["fieldMappings.1.target"]);
  });
});
