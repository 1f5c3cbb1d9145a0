import { z } from "zod";

// How a rule reads a response: what counts as success (status codes, optionally a body
// condition), values to extract from a response (response parsers) and from a failure (error
// parser). Stored as WebhookRule.responseRules (JSON) and applied per attempt by
// lib/delivery/policy/response.ts. The rule form (lib/rules/form/response.ts) builds on these.
//
// A path is a JSON path ("lead.id", "$.data[0].id") for kind "json", or an XPath ("//status",
// "/response/@code") for kind "xpath". A response parser's path may also be a regular expression
// (kind "regex", for text bodies): the value is its first capture group, or the whole match.
//
// The values a response parser extracts are the client's answer: kept on the delivery and, per
// rule, on the lead, where later rules' templates read them as answers.<rule id>.<name>. The
// names remoteId, result, reason and price are the ones the delivery log searches and exports.

/** Messages of the checks a stored body condition or parser passes. */
export const RULE_RESPONSE_MESSAGES = {
  path: "Enter a JSON path (e.g. status or data.id) or an XPath (e.g. //status).",
  parserName: "Name the value with letters, digits and _ (e.g. lead_id).",
  regex: "Enter a regular expression without nested repeats such as (a+)+.",
} as const;

/** The answer values the delivery log searches and exports; the form suggests these names. */
export const ANSWER_NAMES = ["remoteId", "result", "reason", "price"] as const;

// A repeat applied to a group that itself repeats ((a+)+, (\w*\s?)*) can take exponential time
// on a body that almost matches; such patterns are refused. Bodies are untrusted, patterns are not.
const NESTED_REPEAT = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,?\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,?\d*\})/;

/** Why a parser's regular expression is refused, or null when it can be used. */
export function regexProblem(pattern: string): string | null {
  try {
    new RegExp(pattern);
  } catch {
    return RULE_RESPONSE_MESSAGES.regex;
  }
  return NESTED_REPEAT.test(pattern) ? RULE_RESPONSE_MESSAGES.regex : null;
}

const PATH_KIND = z.enum(["json", "xpath"]);

/** "2xx, 301, 400-404" → is the status in it? null when the text does not parse. */
export function parseStatusList(text: string): ((status: number) => boolean) | null {
  const parts = text.split(",").map((p) => p.trim()).filter(Boolean);
  if (!parts.length) return null;
  const tests: ((s: number) => boolean)[] = [];
  for (const p of parts) {
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([1-5])xx$/i))) {
      const c = Number(m[1]);
      tests.push((s) => Math.floor(s / 100) === c);
    } else if ((m = p.match(/^(\d{3})\s*-\s*(\d{3})$/))) {
      const [lo, hi] = [Number(m[1]), Number(m[2])];
      if (lo < 100 || hi > 599 || lo > hi) return null;
      tests.push((s) => s >= lo && s <= hi);
    } else if ((m = p.match(/^(\d{3})$/))) {
      const code = Number(m[1]);
      if (code < 100 || code > 599) return null;
      tests.push((s) => s === code);
    } else return null;
  }
  return (s) => tests.some((t) => t(s));
}

export const bodyConditionSchema = z
  .object({
    enabled: z.boolean().default(false),
    kind: PATH_KIND.default("json"),
    path: z.string().trim().max(500).default(""),
    equals: z.string().max(2000).default(""),
  })
  .refine((c) => !c.enabled || c.path.length > 0, { path: ["path"], message: RULE_RESPONSE_MESSAGES.path });
export type BodyCondition = z.output<typeof bodyConditionSchema>;

export const parserSchema = z
  .object({
    name: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, RULE_RESPONSE_MESSAGES.parserName),
    kind: z.enum(["json", "xpath", "regex"]).default("json"),
    path: z.string().trim().min(1, RULE_RESPONSE_MESSAGES.path).max(500, RULE_RESPONSE_MESSAGES.path),
  })
  .refine((p) => p.kind !== "regex" || regexProblem(p.path) === null, { path: ["path"], message: RULE_RESPONSE_MESSAGES.regex });
export type ResponseParser = z.output<typeof parserSchema>;

/** Paths of the error code, message and field in a failure response; blank: not extracted. */
export const errorParserSchema = z.object({
  kind: PATH_KIND.default("json"),
  code: z.string().trim().max(500).default(""),
  message: z.string().trim().max(500).default(""),
  field: z.string().trim().max(500).default(""),
});
export type ErrorParser = z.output<typeof errorParserSchema>;

/** WebhookRule.responseRules as stored; rules saved before response rules existed hold {}. */
export const storedResponseRulesSchema = z
  .object({
    successStatuses: z.string().default("2xx"),
    bodyCondition: bodyConditionSchema.nullable().default(null),
    parsers: z.array(parserSchema).default([]),
    errorParser: errorParserSchema.nullable().default(null),
  })
  .catch({ successStatuses: "2xx", bodyCondition: null, parsers: [], errorParser: null });
export type ResponseRules = z.output<typeof storedResponseRulesSchema>;
