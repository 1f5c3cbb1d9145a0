import { z } from "zod";

// The Response tab: what counts as success (status codes, optionally a body condition), values to
// extract from a response (response parser) and from a failure (error parser). Stored as
// WebhookRule.responseRules (JSON) and read by lib/delivery/policy/response.ts per attempt.
//
// A path is a JSON path ("lead.id", "$.data[0].id") for kind "json", or an XPath ("//status",
// "/response/@code") for kind "xpath".

export const MAX_PARSERS = 20;

export const RESPONSE_MESSAGES = {
  statuses: "List status codes, ranges or classes separated by commas, e.g. 2xx or 200-299, 302.",
  path: "Enter a JSON path (e.g. status or data.id) or an XPath (e.g. //status).",
  parserName: "Name the value with letters, digits and _ (e.g. lead_id).",
  parserDuplicate: "Each value name can be used once.",
  tooManyParsers: `Use at most ${MAX_PARSERS} values.`,
} as const;

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
  .refine((c) => !c.enabled || c.path.length > 0, { path: ["path"], message: RESPONSE_MESSAGES.path });
export type BodyCondition = z.output<typeof bodyConditionSchema>;

export const parserSchema = z.object({
  name: z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, RESPONSE_MESSAGES.parserName),
  kind: PATH_KIND.default("json"),
  path: z.string().trim().min(1, RESPONSE_MESSAGES.path).max(500, RESPONSE_MESSAGES.path),
});
export type ResponseParser = z.output<typeof parserSchema>;

/** Paths of the error code, message and field in a failure response; blank: not extracted. */
export const errorParserSchema = z.object({
  kind: PATH_KIND.default("json"),
  code: z.string().trim().max(500).default(""),
  message: z.string().trim().max(500).default(""),
  field: z.string().trim().max(500).default(""),
});
export type ErrorParser = z.output<typeof errorParserSchema>;

/** The Response tab's fields, spread into the rule schema. */
export const responseFormFields = {
  successStatuses: z
    .string()
    .trim()
    .default("2xx")
    .refine((t) => parseStatusList(t) !== null, RESPONSE_MESSAGES.statuses),
  bodyCondition: bodyConditionSchema.default({ enabled: false, kind: "json", path: "", equals: "" }),
  responseParsers: z.array(parserSchema).max(MAX_PARSERS, RESPONSE_MESSAGES.tooManyParsers).default([]),
  errorParser: errorParserSchema.default({ kind: "json", code: "", message: "", field: "" }),
};

const responseObject = z.object(responseFormFields);
export type ResponseFormInput = z.input<typeof responseObject>;
export type ResponseFormValues = z.output<typeof responseObject>;

export function refineResponse(r: ResponseFormValues, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  r.responseParsers.forEach((p, i) => {
    if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: ["responseParsers", i, "name"], message: RESPONSE_MESSAGES.parserDuplicate });
    seen.add(p.name);
  });
}

export function emptyResponseForm(): ResponseFormValues {
  return responseObject.parse({});
}

/** WebhookRule.responseRules as stored; rules saved before this tab existed hold {}. */
export const storedResponseRulesSchema = z
  .object({
    successStatuses: z.string().default("2xx"),
    bodyCondition: bodyConditionSchema.nullable().default(null),
    parsers: z.array(parserSchema).default([]),
    errorParser: errorParserSchema.nullable().default(null),
  })
  .catch({ successStatuses: "2xx", bodyCondition: null, parsers: [], errorParser: null });
export type ResponseRules = z.output<typeof storedResponseRulesSchema>;
