import { insertFrom, statementName, utc, type Sql, type TableRows } from "@/lib/db/sql";
import { newId } from "@/lib/core/ids";
import { plansSettled } from "@/lib/db/plans";
import type { Decision } from "../policy/outcome";

// Recording a group of outcomes in one statement (one round trip, all or nothing): every attempt
// in one insert, every delivery's outcome in one set-based UPDATE, the values response parsers
// extracted kept on their leads too (Lead.answers, replacing each rule's entry; leads locked in id
// order so two workers never deadlock; a group without values touches no lead), and the rules
// whose endpoint answered 410 Gone disabled.

const GONE_DISABLED_REASON = "The endpoint answered 410 Gone";

export const ATTEMPTS = {
  table: "DeliveryAttempt",
  columns: {
    id: "text", deliveryId: "text", number: "int", startedAt: "timestamp", durationMs: "int", requestUrl: "text", requestMethod: "text",
    requestHeaders: "jsonb", statusCode: "int", responseHeaders: "jsonb", responseBody: "text", bodyTruncated: "boolean",
    errorClass: "text", errorMessage: "text", parsedError: "jsonb",
  },
} as const;

// Chained deliveries (fallback and linked rules, rendered by the outbox: chain.ts), when the group
// has any, are inserted by the same statement, each only when its parent's outcome was written
// here. A rule gets a lead event once: at most one chained delivery per event and rule (a unique
// key, however often an outcome is recorded and however many rules pass the lead to it), and none
// when the rule has the event by its own trigger (unless its own conditions skipped it there: the
// chain sets them aside), so a fallback that also subscribes to the event is not sent it twice.
const chainedInsert = (chained: TableRows, param: number) =>
  `, chained AS (${insertFrom(
    chained,
    param,
    ` WHERE x."parentDeliveryId" IN (SELECT id FROM outcomes) AND EXISTS (SELECT 1 FROM "WebhookRule" w WHERE w.id = x."ruleId" AND w.enabled)
        AND NOT EXISTS (SELECT 1 FROM "Delivery" y WHERE y."eventId" = x."eventId" AND y."ruleId" = x."ruleId" AND y."parentDeliveryId" IS NULL
                          AND NOT y."isTest" AND y."skipKind" IS DISTINCT FROM 'CONDITIONS')`,
  )})`;

// A dispatcher whose lease expired (and was taken over) while its request was open still records
// what it can without harm: its attempt is kept unless the new holder already stored one under
// the same number, and the lease owner check keeps it from overwriting the newer outcome. Either
// way the rest of its group is recorded.
// The statement holds only the parts its group needs: the leads' answers when a response parser
// extracted values, the disabling of rules when an endpoint answered 410 Gone, the chained
// deliveries when there are any. Most groups need none of them, and while "Delivery" is small the
// statement is planned on every call ("fresh", below): planning the unused parts cost more than
// half of that.
interface RecordParts {
  answers: boolean;
  gone: boolean;
  chained?: TableRows;
}

const answersPart = `,
  answered AS MATERIALIZED (
    SELECT "leadId" AS id, jsonb_object_agg("ruleId", "responseValues") AS answers FROM outcomes
    WHERE "responseValues" IS NOT NULL AND "leadId" IS NOT NULL GROUP BY "leadId"),
  locked AS MATERIALIZED (SELECT l.id FROM "Lead" l JOIN answered a ON a.id = l.id ORDER BY l.id FOR UPDATE OF l),
  answers AS (
    UPDATE "Lead" l SET answers = l.answers || a.answers FROM answered a JOIN locked k ON k.id = a.id WHERE l.id = a.id
    RETURNING 1)`;

const gonePart = `,
  gone AS (
    UPDATE "WebhookRule" SET enabled = false, "disabledAt" = ${utc("$4")}, "disabledReason" = $6,
      "updatedAt" = now() AT TIME ZONE 'UTC'
    WHERE id = ANY($5::text[]) AND enabled
    RETURNING 1)`;

// An attempt of a delivery deleted meanwhile (its rule was deleted while the request ran) is
// dropped, alone: failing the group would leave its other deliveries leased, to be sent again.
const STILL_THERE = ` WHERE EXISTS (SELECT 1 FROM "Delivery" d WHERE d.id = x."deliveryId")`;

const recordStatement = ({ answers, gone, chained }: RecordParts) => `WITH attempts AS (${insertFrom({ ...ATTEMPTS, rows: [], skipDuplicates: true }, 1, STILL_THERE)}),
  outcomes AS (
    UPDATE "Delivery" d SET
      state = v.state::"DeliveryState", "attemptCount" = v."attemptCount",
      "nextAttemptAt" = ${utc(`v."nextAttemptAt"`)},
      "lastStatusCode" = v."lastStatusCode", "lastError" = v."lastError",
      "responseValues" = COALESCE(v."responseValues", d."responseValues"),
      "completedAt" = ${utc(`v."completedAt"`)},
      "leaseOwner" = NULL, "leaseExpiresAt" = NULL, "updatedAt" = now() AT TIME ZONE 'UTC'
    FROM jsonb_to_recordset($2::jsonb) AS v(id text, state text, "attemptCount" int, "nextAttemptAt" text, "lastStatusCode" int, "lastError" text, "responseValues" jsonb, "completedAt" text)
    WHERE d.id = v.id AND d."leaseOwner" = $3
    RETURNING d.id, d."leadId", d."ruleId", v."responseValues")${answers ? answersPart : ""}${gone ? gonePart : ""}${chained ? chainedInsert(chained, gone ? 7 : 4) : ""}
  SELECT (SELECT count(*) FROM attempts)::int AS attempts, (SELECT count(*) FROM outcomes)::int AS outcomes`;

/** The statement for a group without chained deliveries, by the parts it needs ("answers", "gone"). */
const PLAIN = new Map(
  [false, true].flatMap((answers) => [false, true].map((gone) => {
    const text = recordStatement({ answers, gone });
    return [`${answers}/${gone}`, { text, name: statementName(text) }] as const;
  })),
);

/** Records the group's decisions, and `chained` (rows the outbox rendered) with them. */
export async function recordBatch(sql: Sql, owner: string, decisions: Decision[], now: Date, chained?: TableRows | null): Promise<void> {
  const attempts = decisions.flatMap((d) => (d.attempt ? [{ id: newId("att"), ...d.attempt }] : []));
  const goneRules = [...new Set(decisions.flatMap((d) => (d.goneRuleId ? [d.goneRuleId] : [])))];
  const answers = decisions.some((d) => d.outcome.responseValues !== null);
  const gone = goneRules.length > 0;
  // $4-$6 only when rules are disabled (a parameter the statement does not use has no type); the chained rows after them.
  const params = [JSON.stringify(attempts), JSON.stringify(decisions.map((d) => d.outcome)), owner, ...(gone ? [now.toISOString(), goneRules, GONE_DISABLED_REASON] : [])];
  // Planned fresh while "Delivery" is small: a plan kept from then joined the group to it by
  // reading the whole table, every time, while the table grew under it (7,775 pages for 32
  // outcomes). Once it is large enough that a plan made for it reads by id (plans.ts), the plain
  // statement (most groups) is kept; one that also writes leads or rules stays fresh, as a plan
  // kept from a small "Lead" would go on reading all of it.
  if (!chained) {
    const { text, name } = PLAIN.get(`${answers}/${gone}`)!;
    return void (await sql.query(text, params, name, !answers && !gone && plansSettled(sql) ? "kept" : "fresh"));
  }
  const text = recordStatement({ answers, gone, chained });
  await sql.query(text, [...params, JSON.stringify(chained.rows)], statementName(text), "fresh");
}
