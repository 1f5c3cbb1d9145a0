import { z } from "zod";
import { MAX_FILTER_LENGTH, parseTableParams, tableParamsSchema, type RawSearchParams, type TableParams } from "@/lib/core/list-params";
import { DATE_RANGE_MESSAGE, isStorableDate, MAX_STORABLE_TIME } from "@/lib/core/storable";

// The delivery log's URL contract: the shared table params (?q=&sort=&dir=&page=&size=) plus its
// own filters (?ruleId=&batchId=&state=&status=&from=&to=). Pure (no database, no React), so the page, the
// filter controls, the queries and the bulk-retry action all read the same shape.

export const DELIVERY_SORT_KEYS = ["created", "state", "attempts", "lastStatusCode", "nextAttemptAt"] as const;
export type DeliverySortKey = (typeof DELIVERY_SORT_KEYS)[number];

/** PENDING includes retrying deliveries; RETRYING narrows to pending ones that already failed once. */
export const DELIVERY_STATE_FILTERS = ["PENDING", "RETRYING", "SUCCEEDED", "FAILED", "SKIPPED"] as const;

export const STATUS_CLASSES = ["2xx", "3xx", "4xx", "5xx", "999"] as const;

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const blankToUndefined = (v: unknown) => {
  const f = first(v);
  return typeof f === "string" && f.trim() === "" ? undefined : f;
};

/** "2xx"…"5xx", "999" (no HTTP response) or one exact status code. */
export const statusFilterSchema = z.union([z.enum(STATUS_CLASSES), z.string().regex(/^[1-9]\d{2}$/, "A status code has three digits")]);

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// datetime-local values carry no zone: the log shows UTC, so its filters are read as UTC too.
const LOCAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/**
 * A bound of the time range: a date, a datetime-local value (UTC) or a full ISO timestamp, naming
 * an instant the database holds (0001-01-01 to 9999-12-31 UTC, after any offset is applied).
 */
export const timeBoundSchema = z
  .string()
  .trim()
  .max(40)
  .superRefine((s, ctx) => {
    const at = onTheCalendar(s) ? toUtcDate(s) : null;
    if (!at || Number.isNaN(at.getTime())) ctx.addIssue({ code: "custom", message: "Not a date" });
    else if (!isStorableDate(at)) ctx.addIssue({ code: "custom", message: DATE_RANGE_MESSAGE });
  });

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** Whether the date (and time, if any) it starts with exist: JavaScript reads 2026-02-30 as March 2 and 24:00 as the next day. */
function onTheCalendar(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour <= 23 && minute <= 59 && second <= 59;
}

/** The instant a bound names; a bare date is that day's start (UTC). */
export function toUtcDate(value: string): Date {
  if (DATE_ONLY.test(value)) return new Date(`${value}T00:00:00.000Z`);
  if (LOCAL_DATETIME.test(value)) return new Date(`${value}Z`);
  return new Date(value);
}

/** createdAt bounds: "to" includes the whole day (a bare date) or minute (a datetime-local value). */
export function createdRange(from?: string, to?: string): { gte?: Date; lt?: Date; lte?: Date } | undefined {
  if (!from && !to) return undefined;
  const range: { gte?: Date; lt?: Date; lte?: Date } = {};
  if (from) range.gte = toUtcDate(from);
  if (to) {
    const whole = DATE_ONLY.test(to) ? 86_400_000 : /T\d{2}:\d{2}$/.test(to) ? 60_000 : 0;
    const end = toUtcDate(to).getTime() + whole;
    // The end of 9999-12-31 would be year 10000, which the database does not take: stop at its last instant.
    if (whole && end <= MAX_STORABLE_TIME) range.lt = new Date(end);
    else range.lte = whole ? new Date(MAX_STORABLE_TIME) : toUtcDate(to);
  }
  return range;
}

/**
 * The filters alone, strict: what "Retry failed" sends. A bad value is an error here, never
 * dropped, because dropping a filter would widen a bulk change.
 */
export const deliveryFiltersSchema = z.object({
  ruleId: z.string().trim().min(1).max(100).optional(),
  /** The deliveries sent in one batch (a rule that sends batches). */
  batchId: z.string().trim().min(1).max(100).optional(),
  state: z.enum(DELIVERY_STATE_FILTERS).optional(),
  status: statusFilterSchema.optional(),
  from: timeBoundSchema.optional(),
  to: timeBoundSchema.optional(),
  q: z.string().trim().max(MAX_FILTER_LENGTH).default(""),
});
export type DeliveryFilters = z.output<typeof deliveryFiltersSchema>;

// In the URL the same filters are lenient: a bad or empty value is ignored, never an error page.
const lenient = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional()).catch(undefined);
const urlFiltersShape = {
  ruleId: lenient(deliveryFiltersSchema.shape.ruleId.unwrap()),
  batchId: lenient(deliveryFiltersSchema.shape.batchId.unwrap()),
  state: lenient(deliveryFiltersSchema.shape.state.unwrap()),
  status: lenient(statusFilterSchema),
  from: lenient(timeBoundSchema),
  to: lenient(timeBoundSchema),
};

const tableSchema = tableParamsSchema({ sortKeys: DELIVERY_SORT_KEYS, defaultSort: "created", defaultDir: "desc" });
export const deliveryListParamsSchema = tableSchema.extend(urlFiltersShape);
export type DeliveryListParams = TableParams<DeliverySortKey> & Omit<DeliveryFilters, "q">;

export function parseDeliveryListParams(raw: RawSearchParams | URLSearchParams | undefined): DeliveryListParams {
  return parseTableParams(deliveryListParamsSchema, raw);
}

/** Whether any filter other than the text box narrows the list. */
export function hasDeliveryFilters(f: Partial<DeliveryFilters>): boolean {
  return Boolean(f.ruleId || f.batchId || f.state || f.status || f.from || f.to || f.q);
}

/** The filters of a parsed list, as "Retry failed" sends them. */
export function filtersOf(p: DeliveryListParams): DeliveryFilters {
  return { ruleId: p.ruleId, batchId: p.batchId, state: p.state, status: p.status, from: p.from, to: p.to, q: p.q };
}
