import type { PrismaClient } from "@/lib/generated/prisma/client";

/**
 * Grows "Delivery" fast: inserts `times` copies of each delivery `where` selects (a condition on
 * "Delivery" d that may use $1, given as `value`), each copy's id the original's with "-<n>" added.
 */
export async function copyDeliveries(prisma: PrismaClient, where: string, value: string, times: number): Promise<void> {
  await prisma.$executeRawUnsafe(
    `INSERT INTO "Delivery" SELECT (jsonb_populate_record(d, jsonb_build_object('id', d.id || '-' || g))).*
     FROM "Delivery" d, generate_series(1, ${Math.floor(times)}) g WHERE ${where}`,
    value,
  );
}

/** The table and index pages (shared buffers hit or read) a statement touched, from the first row `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)` returned. */
export function pagesTouched(row: Record<string, unknown>): number {
  const plan = (row["QUERY PLAN"] as [{ Plan: Record<string, number> }])[0].Plan;
  return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
}
