import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deepPartial, mergePatch } from "./patch";

describe("mergePatch", () => {
  it("merges objects key by key and replaces arrays, values, null and whole fields", () => {
    const current = { title: "A", request: { method: "POST", headers: [{ name: "X", value: "1" }], mapping: { mode: "all", fields: [] } }, retryPolicy: { kind: "schedule", delaysSeconds: [0, 30] } };
    const merged = mergePatch(current, { request: { mapping: { mode: "custom" }, headers: [] }, retryPolicy: { kind: "exponential", baseSeconds: 5, maxAttempts: 3 }, status: null }, { whole: ["retryPolicy"] });
    expect(merged).toEqual({
      title: "A",
      request: { method: "POST", headers: [], mapping: { mode: "custom", fields: [] } },
      retryPolicy: { kind: "exponential", baseSeconds: 5, maxAttempts: 3 },
      status: null,
    });
    expect(current.request.mapping.mode).toBe("all");
  });
});

describe("deepPartial", () => {
  const schema = z.strictObject({
    title: z.string().min(1),
    enabled: z.boolean().default(true),
    nested: z.strictObject({ a: z.string().default("x"), b: z.int() }).prefault({ b: 1 }),
    loose: z.object({ c: z.string() }),
    policy: z.object({ kind: z.literal("k"), n: z.int() }),
  });
  const partial = deepPartial(schema, { whole: ["policy"] });

  it("makes every field optional, without defaults, keeping the field checks", () => {
    expect(partial.parse({})).toEqual({});
    expect(partial.parse({ nested: { b: 2 } })).toEqual({ nested: { b: 2 } });
    expect(partial.safeParse({ title: "" }).success).toBe(false);
    expect(partial.safeParse({ nested: { b: 1.5 } }).success).toBe(false);
  });

  it("keeps strictness where the source is strict, and `whole` fields complete", () => {
    expect(partial.safeParse({ nope: 1 }).success).toBe(false);
    expect(partial.safeParse({ nested: { nope: 1 } }).success).toBe(false);
    expect(partial.parse({ loose: { extra: 1 } })).toEqual({ loose: {} });
    expect(partial.safeParse({ policy: { kind: "k" } }).success).toBe(false);
    expect(partial.parse({ policy: { kind: "k", n: 1 } })).toEqual({ policy: { kind: "k", n: 1 } });
  });
});
