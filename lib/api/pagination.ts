import { z } from "zod";
import { isStorableDate, unstorableTextReason } from "@/lib/core/storable";
import { ApiError } from "./http";

// List endpoints page newest first. A cursor (opaque: the last row's creation time and id) is
// stable while rows are added; ?page= (1-based) is offered for simple clients and jumps.

export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 20;

export const pageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int("Use a whole number.")
    .min(1, `Use 1 to ${MAX_LIMIT}.`)
    .max(MAX_LIMIT, `Use 1 to ${MAX_LIMIT}.`)
    .default(DEFAULT_LIMIT)
    .describe(`Items per page, 1–${MAX_LIMIT} (default ${DEFAULT_LIMIT}).`),
  cursor: z.string().max(200).optional().describe("The nextCursor of the previous page."),
  page: z.coerce.number().int("Use a whole number.").min(1, "Pages start at 1.").max(100_000).optional().describe("A page number (1-based), instead of a cursor."),
});
export type PageQuery = z.output<typeof pageQuerySchema>;

interface Position {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: Position): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString("base64url");
}

const CURSOR_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

export function decodeCursor(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    // Exactly what encodeCursor writes, for an instant the database holds: JavaScript reads dates,
    // such as -099999-01-01 or 0000-01-01, that the database refuses, which would turn a forged
    // cursor into a 500.
    const createdAt = typeof at === "string" && CURSOR_TIME.test(at) ? new Date(at) : null;
    if (typeof id === "string" && id && !unstorableTextReason(id) && createdAt && isStorableDate(createdAt)) return { createdAt, id };
  } catch {
    // reported below
  }
  throw new ApiError(400, "invalid_query", "Some query parameters are invalid.", { cursor: ["This cursor is not one this API returned."] });
}

/** The Prisma arguments for one page, newest first (one row more than the limit, to know if another page follows). */
export function pageArgs(q: PageQuery) {
  if (q.cursor && q.page) throw new ApiError(400, "invalid_query", "Some query parameters are invalid.", { cursor: ["Use either cursor or page, not both."] });
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  return {
    where: after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {},
    orderBy: [{ createdAt: "desc" as const }, { id: "desc" as const }],
    skip: q.page ? (q.page - 1) * q.limit : 0,
    take: q.limit + 1,
  };
}

/** The page's rows and the cursor of the next page (null when this is the last). */
export function pageOf<T extends Position>(rows: T[], q: PageQuery): { rows: T[]; nextCursor: string | null } {
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return { rows: page, nextCursor: more ? encodeCursor(page.at(-1)!) : null };
}
