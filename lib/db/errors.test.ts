import { describe, expect, it } from "vitest";
import { isForeignKeyViolation, isUniqueViolation } from "./errors";

const prismaError = (code: string) => Object.assign(new Error("write failed"), { code });

describe("write errors", () => {
  it("recognises a unique violation by Prisma's P2002", () => {
    expect(isUniqueViolation(prismaError("P2002"))).toBe(true);
    expect(isUniqueViolation(prismaError("P2003"))).toBe(false);
  });

  it("recognises a foreign key or required relation violation (P2003, P2014)", () => {
    expect(isForeignKeyViolation(prismaError("P2003"))).toBe(true);
    expect(isForeignKeyViolation(prismaError("P2014"))).toBe(true);
    expect(isForeignKeyViolation(prismaError("P2002"))).toBe(false);
  });

  it("recognises the same violations by PostgreSQL's SQLSTATE (pg and PGlite, plain SQL)", () => {
    expect(isUniqueViolation(prismaError("23505"))).toBe(true);
    expect(isForeignKeyViolation(prismaError("23503"))).toBe(true);
    expect(isUniqueViolation(prismaError("23503"))).toBe(false);
    expect(isForeignKeyViolation(prismaError("23505"))).toBe(false);
  });

  it("answers false for what is not an error object", () => {
    for (const err of [null, undefined, "P2002", 2002, { code: 2002 }]) {
      expect(isUniqueViolation(err)).toBe(false);
      expect(isForeignKeyViolation(err)).toBe(false);
    }
  });
});
