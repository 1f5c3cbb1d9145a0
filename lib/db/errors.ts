// What a failed write means, read from the Prisma error's code. Pure: it reads the error's shape only.

function prismaCode(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** A unique index refused the row (P2002): another request wrote the same key first. */
export function isUniqueViolation(err: unknown): boolean {
  return prismaCode(err) === "P2002";
}

/** A foreign key refused the change (P2003), or a required relation would be broken (P2014). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = prismaCode(err);
  return code === "P2003" || code === "P2014";
}
