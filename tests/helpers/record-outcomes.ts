import type { Sql } from "@/lib/db/sql";
import { recordBatch } from "@/lib/delivery/engine/record";
import type { Decision } from "@/lib/delivery/policy/outcome";

/** The record statements `q`'s connection keeps prepared, and when each was prepared. */
export const prepared = (q: Sql) =>
  q.query<{ name: string; preparedAt: number }>(
    `SELECT name, (extract(epoch FROM prepare_time) * 1000)::float8 AS "preparedAt" FROM pg_prepared_statements WHERE statement LIKE 'WITH attempts AS%'`,
  );

/** A decision recording delivery `id` as succeeded at its first attempt. */
export function succeeded(id: string): Decision {
  const at = new Date().toISOString();
  return {
    tally: "succeeded",
    outcome: { id, state: "SUCCEEDED", attemptCount: 1, nextAttemptAt: at, lastStatusCode: 200, lastError: null, responseValues: null, completedAt: at },
    attempt: {
      deliveryId: id, number: 1, startedAt: at, durationMs: 3, requestUrl: "http://receiver.test/", requestMethod: "POST", requestHeaders: {},
      statusCode: 200, responseHeaders: {}, responseBody: "ok", bodyTruncated: false, errorClass: null, errorMessage: null, parsedError: null,
    },
  } as unknown as Decision;
}

/** Leases `n` PENDING deliveries of rule `ruleId` to `owner` and records them as succeeded through `q`; returns how many were recorded. */
export async function recordSome(q: Sql, owner: string, ruleId: string, n: number): Promise<number> {
  const rows = await q.query<{ id: string }>(
    `UPDATE "Delivery" SET "leaseOwner" = $1 WHERE id IN (SELECT id FROM "Delivery" WHERE "ruleId" = $2 AND state = 'PENDING' AND "leaseOwner" IS NULL LIMIT $3) RETURNING id`,
    [owner, ruleId, n],
  );
  if (rows.length) await recordBatch(q, owner, rows.map((r) => succeeded(r.id)), new Date());
  return rows.length;
}
