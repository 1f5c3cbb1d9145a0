// What a failed write means, read from the error's code: Prisma's (admin side), or PostgreSQL's
// SQLSTATE as pg and PGlite report it (plain SQL on the hot path). Pure: it reads the error's shape only.

function prismaCode(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** A unique index refused the row (P2002, 23505): another request wrote the same key first. */
export function isUniqueViolation(err: unknown): boolean {
  const code = prismaCode(err);
  return code === "P2002" || code === "23505";
}

/** A foreign key refused the change (P2003, 23503), or a required relation would be broken (P2014). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = prismaCode(err);
  return code === "P2003" || code === "P2014" || code === "23503";
}
