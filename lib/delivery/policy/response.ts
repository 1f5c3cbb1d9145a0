import { DOMParser } from "@xmldom/xmldom";
import { JSONPath } from "jsonpath-plus";
import xpath from "xpath";
import { parseStatusList, regexProblem, type ResponseRules } from "@/lib/domain/rule/response";
import { NO_RESPONSE_STATUS } from "./retry";

// The Response tab applied to one response: did the endpoint accept the lead (status codes and an
// optional body condition), which named values does the response carry (response parser), and
// what error did it report (error parser, failures only). Pure: the dispatcher and Test Connection
// call it with a response the guarded client already read (≤ 64 KB).
//
// Receivers' bodies are untrusted: a body that is not JSON/XML, a path that finds nothing or a
// path that does not parse all mean "no value", never an exception.

/** A value longer than this is cut: values are shown in tables and stored per delivery. */
export const MAX_VALUE_CHARS = 500;
/** Bodies past this are not parsed at all (the client caps them at 64 KB; this is a backstop). */
export const MAX_PARSE_CHARS = 256 * 1024;

export type PathKind = "json" | "xpath" | "regex";

/** A regular expression reads at most this much of the body (the answer is near its start). */
export const MAX_REGEX_CHARS = 8 * 1024;

export interface ResponseInput {
  status: number;
  headers: Record<string, string>;
  body: string;
  bodyTruncated?: boolean;
}

// A type, not an interface: it is stored as JSON, and Prisma's JSON input wants the implicit
// index signature only type aliases have.
export type ParsedErrorValues = {
  code?: string;
  message?: string;
  field?: string;
};

export interface ResponseVerdict {
  success: boolean;
  /** Why it is a failure, in a sentence an admin reads in the log; null on success. */
  reason: string | null;
  /** Response parser values ({name: value}); null when none was found. */
  values: Record<string, string> | null;
  /** Error parser values; only on failure, null when none was found. */
  error: ParsedErrorValues | null;
}

const DEFAULT_SUCCESS = parseStatusList("2xx") as (status: number) => boolean;

/** The rule's success statuses as a test; an unreadable list falls back to 2xx. */
export function successStatusTest(successStatuses: string | undefined | null): (status: number) => boolean {
  return (successStatuses && parseStatusList(successStatuses)) || DEFAULT_SUCCESS;
}

/** "lead.id" and "$.lead.id" name the same value: JSONPath wants the leading "$". */
export function normalizeJsonPath(path: string): string {
  const p = path.trim();
  if (p.startsWith("$")) return p;
  return p.startsWith("[") ? `$${p}` : `$.${p}`;
}

function clip(value: string): string {
  return value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) : value;
}

const NOT_PARSED = Symbol("not parsed");
const INVALID = Symbol("invalid");

/** The body parsed at most once per kind, however many paths read it. */
export class ParsedBody {
  private json: unknown | typeof NOT_PARSED | typeof INVALID = NOT_PARSED;
  private xml: Document | typeof NOT_PARSED | typeof INVALID = NOT_PARSED;
  private readonly text: string;

  constructor(body: string) {
    // A byte-order mark is not part of either document.
    this.text = body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  }

  jsonValue(): unknown | typeof INVALID {
    if (this.json === NOT_PARSED) {
      const t = this.text.trim();
      try {
        this.json = t && t.length <= MAX_PARSE_CHARS ? (JSON.parse(t) as unknown) : INVALID;
      } catch {
        this.json = INVALID;
      }
    }
    return this.json;
  }

  xmlDocument(): Document | typeof INVALID {
    if (this.xml === NOT_PARSED) this.xml = parseXml(this.text);
    return this.xml;
  }

  /** The first value at the path as a string, or null when there is none. */
  read(kind: PathKind, path: string): string | null {
    const p = path.trim();
    if (!p) return null;
    const v = kind === "xpath" ? this.readXPath(p) : kind === "regex" ? this.readRegex(p) : this.readJson(p);
    return v === null ? null : clip(v);
  }

  /** The first capture group of the first match (the whole match without a group), trimmed. */
  private readRegex(pattern: string): string | null {
    if (regexProblem(pattern) !== null) return null; // a stored pattern the form would refuse now
    const m = new RegExp(pattern).exec(this.text.slice(0, MAX_REGEX_CHARS));
    if (!m) return null;
    const v = (m.length > 1 ? m[1] : m[0]) ?? "";
    return v.trim() || null;
  }

  private readJson(path: string): string | null {
    const json = this.jsonValue();
    if (json === INVALID) return null;
    let found: unknown[];
    try {
      // eval: false turns off filter scripts ([?(…)]): a path is data from a form, never code.
      found = JSONPath({ path: normalizeJsonPath(path), json: json as object, wrap: true, eval: false }) as unknown[];
    } catch {
      return null;
    }
    return found.length ? jsonToText(found[0]) : null;
  }

  private readXPath(expression: string): string | null {
    const doc = this.xmlDocument();
    if (doc === INVALID) return null;
    let result: xpath.SelectedValue | undefined;
    try {
      result = xpath.select(expression, doc as unknown as Node, true);
    } catch {
      return null; // an expression that does not parse, or a namespace prefix the body does not declare
    }
    if (result === null || result === undefined) return null;
    if (typeof result === "string") return result.trim();
    if (typeof result === "number") return Number.isFinite(result) ? String(result) : null;
    if (typeof result === "boolean") return String(result);
    if (xpath.isAttribute(result)) return result.value.trim();
    return (result.textContent ?? "").trim();
  }
}

function jsonToText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v.trim();
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/**
 * XML with xmldom, stopping at the first error. xmldom has no DTD processing: entities a DOCTYPE
 * declares (external ones, and the "billion laughs" kind) are never expanded, they are reported
 * as unknown, which stops the parse here. Errors go nowhere (its default writes to the console).
 */
function parseXml(text: string): Document | typeof INVALID {
  const t = text.trim();
  if (!t.startsWith("<") || t.length > MAX_PARSE_CHARS) return INVALID;
  try {
    const doc = new DOMParser({
      onError: (level, message) => {
        if (level !== "warning") throw new Error(message);
      },
    }).parseFromString(t, "text/xml");
    return doc.documentElement ? (doc as unknown as Document) : INVALID;
  } catch {
    return INVALID;
  }
}

function describeStatus(status: number): string {
  return status === NO_RESPONSE_STATUS ? "No HTTP response" : `Status ${status}`;
}

/** The response parser: every configured value the body carries. */
export function extractValues(parsers: ResponseRules["parsers"], body: ParsedBody): Record<string, string> | null {
  const values: Record<string, string> = {};
  for (const p of parsers) {
    const v = body.read(p.kind, p.path);
    if (v !== null) values[p.name] = v;
  }
  return Object.keys(values).length ? values : null;
}

/** The error parser: code, message and field of a failure response, when the body has them. */
export function extractError(errorParser: ResponseRules["errorParser"], body: ParsedBody): ParsedErrorValues | null {
  if (!errorParser) return null;
  const out: ParsedErrorValues = {};
  for (const key of ["code", "message", "field"] as const) {
    const path = errorParser[key];
    const v = path ? body.read(errorParser.kind, path) : null;
    if (v !== null && v !== "") out[key] = v;
  }
  return Object.keys(out).length ? out : null;
}

/** Judges one response by the rule's Response tab. */
export function evaluateResponse(rules: ResponseRules, res: ResponseInput): ResponseVerdict {
  const body = new ParsedBody(res.status === NO_RESPONSE_STATUS ? "" : res.body);
  const values = res.status === NO_RESPONSE_STATUS ? null : extractValues(rules.parsers, body);
  let reason: string | null = null;

  if (res.status === NO_RESPONSE_STATUS) {
    reason = "No HTTP response";
  } else if (!successStatusTest(rules.successStatuses)(res.status)) {
    reason = `${describeStatus(res.status)} is not a success status (${rules.successStatuses.trim() || "2xx"})`;
  } else if (rules.bodyCondition?.enabled && rules.bodyCondition.path.trim()) {
    const { kind, path, equals } = rules.bodyCondition;
    const actual = body.read(kind, path);
    const expected = equals.trim();
    if (actual === null) {
      const cut = res.bodyTruncated ? " (the response body was truncated)" : "";
      reason = `Body check failed: ${path.trim()} not found in the response, expected "${expected}"${cut}`;
    } else if (actual !== expected) {
      reason = `Body check failed: ${path.trim()} is "${actual}", expected "${expected}"`;
    }
  }

  const success = reason === null;
  return { success, reason, values, error: success ? null : extractError(rules.errorParser, body) };
}
