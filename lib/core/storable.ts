import { z } from "zod";

// What the database can hold, checked where input enters (API bodies, path ids, query strings,
// server actions, list URLs) so that input it cannot hold is a 4xx naming the field, never a 500
// from the database and never a value changed on the way in:
// - PostgreSQL text and jsonb cannot hold NUL (U+0000);
// - a lone UTF-16 surrogate is not Unicode: jsonb refuses it, and a text column gets U+FFFD;
// - timestamps: PostgreSQL has no year 0 and JavaScript writes years past 9999 as "+010000", so
//   only instants from 0001-01-01 to 9999-12-31 (UTC) are accepted.
// Pure (no database), so forms, the API and list-param parsers share it.

export const MIN_STORABLE_TIME = Date.parse("0001-01-01T00:00:00.000Z");
export const MAX_STORABLE_TIME = Date.parse("9999-12-31T23:59:59.999Z");

export const DATE_RANGE_MESSAGE = "Use a time between 0001-01-01 and 9999-12-31 (UTC).";
export const NUL_MESSAGE = "Remove the NUL character (\\u0000): it cannot be stored.";
export const SURROGATE_MESSAGE = "This text holds a lone UTF-16 surrogate (such as \\ud800), which is not valid Unicode and cannot be stored. Send whole characters.";

/** Whether a Date is valid and within 0001-01-01 … 9999-12-31 (UTC). */
export function isStorableDate(date: Date): boolean {
  const t = date.getTime();
  return !Number.isNaN(t) && t >= MIN_STORABLE_TIME && t <= MAX_STORABLE_TIME;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as it is, or null when it can. */
export function unstorableTextReason(text: string): string | null {
  if (text.includes("\u0000")) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE;
  return null;
}

export interface UnstorableValue {
  path: (string | number)[];
  message: string;
}

/**
 * Every string (object keys included) and Date in a value that the database cannot hold, with its
 * path. Iterative, so a deeply nested body cannot overflow the stack.
 */
export function unstorableValues(value: unknown): UnstorableValue[] {
  const found: UnstorableValue[] = [];
  const todo: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (todo.length) {
    const { value: v, path } = todo.pop()!;
    if (typeof v === "string") {
      const reason = unstorableTextReason(v);
      if (reason) found.push({ path, message: reason });
    } else if (v instanceof Date) {
      if (!isStorableDate(v)) found.push({ path, message: DATE_RANGE_MESSAGE });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => todo.push({ value: item, path: [...path, i] }));
    } else if (v !== null && typeof v === "object") {
      for (const [k, item] of Object.entries(v)) {
        const reason = unstorableTextReason(k);
        if (reason) found.push({ path: [...path, k], message: `This name: ${reason}` });
        else todo.push({ value: item, path: [...path, k] });
      }
    }
  }
  return found.reverse();
}

/** An ISO 8601 date-time (offset allowed) whose instant the database can hold. */
export function storableIsoDateTime(error: string) {
  return z.iso.datetime({ offset: true, error }).refine((s) => isStorableDate(new Date(s)), DATE_RANGE_MESSAGE);
}

const UNSTORABLE_CHARS = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text that is recorded rather than accepted (what a receiver sent back): it cannot be refused, so
 * NUL and lone surrogates become U+FFFD, visibly, instead of failing the write. Input from users
 * is refused instead (unstorableValues).
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE_CHARS, "\uFFFD");
}

/** storableText over every string (object keys included) of a JSON value. */
export function storableJson<T>(value: T): T {
  if (typeof value === "string") return storableText(value) as T;
  if (Array.isArray(value)) return value.map(storableJson) as T;
  if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), storableJson(v)])) as T;
  }
  return value;
}
