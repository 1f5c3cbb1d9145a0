import { isExactNumber } from "@/lib/core/json-numbers";
import type { Condition, StoredConditions } from "@/lib/domain/rule/request";
import { valueAt, type TemplateContext } from "./context";

// Conditional sending: a rule's extra conditions on lead fields. A lead that fails them gets a
// SKIPPED delivery whose reason names the field, its value and the test, so an admin reading the
// delivery log sees at once why nothing was sent.

const isEmpty = (v: unknown): boolean =>
  v === null ||
  v === undefined ||
  (typeof v === "string" && v.trim() === "") ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0);

const asText = (v: unknown): string => (v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
const norm = (v: unknown): string => asText(v).trim().toLowerCase();

// "" is not a number here: Number("") is 0, which would make an empty score "greater than -1".
function asNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string" || v.trim() === "") return null;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : null;
}

// Text that a double holds exactly; longer ids ("9007199254740993", kept as strings by the API)
// would round to a neighbour, so they compare as text, digit for digit.
const exactNumber = (v: unknown): boolean => typeof v === "number" || (typeof v === "string" && isExactNumber(v.trim()));

/** Case-insensitive, trimmed; numbers a double holds exactly compare as numbers ("12" equals "12.0"). */
function same(actual: unknown, expected: string): boolean {
  if (norm(actual) === norm(expected)) return true;
  const a = asNumber(actual);
  const b = asNumber(expected);
  return a !== null && b !== null && a === b && exactNumber(actual) && exactNumber(expected);
}

const listOf = (value: string) => value.split(",").map((s) => s.trim()).filter(Boolean);

/** Whether one condition holds for the event. */
export function conditionHolds(c: Condition, ctx: TemplateContext): boolean {
  const actual = valueAt(ctx, c.field);
  switch (c.op) {
    case "equals":
      return !isEmpty(actual) && same(actual, c.value);
    case "not_equals":
      return isEmpty(actual) || !same(actual, c.value);
    case "contains":
      return !isEmpty(actual) && norm(actual).includes(norm(c.value));
    case "gt":
    case "lt": {
      const a = asNumber(actual);
      const b = asNumber(c.value);
      if (a === null || b === null) return false;
      return c.op === "gt" ? a > b : a < b;
    }
    case "empty":
      return isEmpty(actual);
    case "not_empty":
      return !isEmpty(actual);
    case "in":
      return !isEmpty(actual) && listOf(c.value).some((item) => same(actual, item));
  }
}

const FAILED: Record<Condition["op"], (value: string) => string> = {
  equals: (v) => `does not equal ${v}`,
  not_equals: (v) => `equals ${v}`,
  contains: (v) => `does not contain ${v}`,
  gt: (v) => `is not greater than ${v}`,
  lt: (v) => `is not less than ${v}`,
  empty: () => "is not empty",
  not_empty: () => "is empty",
  in: (v) => `is not one of ${listOf(v).join(", ")}`,
};

function shown(v: unknown): string {
  if (isEmpty(v)) return "empty";
  const s = asText(v).trim();
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/** Why a condition failed, e.g. `lead.score (12) is not greater than 50`. */
export function failedConditionReason(c: Condition, ctx: TemplateContext): string {
  return `${c.field} (${shown(valueAt(ctx, c.field))}) ${FAILED[c.op](c.value.trim())}`;
}

/** Every reason a lead was skipped by the rule's conditions starts with this (bulk replay leaves them out). */
const CONDITION_SKIP_PREFIX = "Skipped: ";

/**
 * null when the delivery should be sent (no conditions, or they match); otherwise the reason it
 * is skipped. "all" reports the first failed condition; "any" lists every one (all of them failed).
 */
export function evaluateConditions(conds: StoredConditions, ctx: TemplateContext): string | null {
  if (!conds.items.length) return null;
  if (conds.match === "all") {
    const failed = conds.items.find((c) => !conditionHolds(c, ctx));
    return failed ? `${CONDITION_SKIP_PREFIX}${failedConditionReason(failed, ctx)}` : null;
  }
  if (conds.items.some((c) => conditionHolds(c, ctx))) return null;
  return `${CONDITION_SKIP_PREFIX}no condition matched: ${conds.items.map((c) => failedConditionReason(c, ctx)).join("; ")}`;
}
