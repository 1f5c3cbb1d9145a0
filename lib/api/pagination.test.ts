import { describe, expect, it } from "vitest";
import { ApiError } from "./http";
import { decodeCursor, encodeCursor, pageArgs, pageOf, pageQuerySchema } from "./pagination";

describe("pagination", () => {
  it("round-trips a cursor and refuses one it did not make", () => {
    const at = new Date("2026-03-02T15:04:05.123Z");
    expect(decodeCursor(encodeCursor({ createdAt: at, id: "rule_x" }))).toEqual({ createdAt: at, id: "rule_x" });
    for (const bad of ["garbage", Buffer.from("[1]").toString("base64url"), Buffer.from('["not a date","x"]').toString("base64url"), Buffer.from('["-099999-01-01T00:00:00.000Z","x"]').toString("base64url")]) {
      expect(() => decodeCursor(bad)).toThrow(ApiError);
    }
  });

  it("pages newest first after the cursor, or by page number, one row more than asked", () => {
    const q = pageQuerySchema.parse({ limit: "2" });
    expect(pageArgs(q)).toMatchObject({ where: {}, skip: 0, take: 3 });
    const cursor = encodeCursor({ createdAt: new Date(1000), id: "b" });
    expect(pageArgs({ ...q, cursor }).where).toEqual({ OR: [{ createdAt: { lt: new Date(1000) } }, { createdAt: new Date(1000), id: { lt: "b" } }] });
    expect(pageArgs(pageQuerySchema.parse({ limit: "10", page: "3" }))).toMatchObject({ skip: 20, take: 11 });
    expect(() => pageArgs({ ...q, cursor, page: 2 })).toThrow(ApiError);
  });

  it("gives a next cursor only when another page follows", () => {
    const rows = [3, 2, 1].map((n) => ({ createdAt: new Date(n * 1000), id: `r${n}` }));
    const q = pageQuerySchema.parse({ limit: "2" });
    const full = pageOf(rows, q);
    expect(full.rows.map((r) => r.id)).toEqual(["r3", "r2"]);
    expect(decodeCursor(full.nextCursor!)).toEqual({ createdAt: new Date(2000), id: "r2" });
    expect(pageOf(rows.slice(0, 2), q).nextCursor).toBeNull();
  });

  it("limits page size to 1–100 (default 20)", () => {
    expect(pageQuerySchema.parse({}).limit).toBe(20);
    expect(pageQuerySchema.safeParse({ limit: "0" }).success).toBe(false);
    expect(pageQuerySchema.safeParse({ limit: "101" }).success).toBe(false);
  });
});
