import { z } from "zod";
import { bodyConditionSchema, errorParserSchema, parserSchema, parseStatusList, RULE_RESPONSE_MESSAGES } from "@/lib/domain/rule/response";

// The Response tab: what counts as success, values to extract from a response and from a failure,
// as form fields over the rule's response rules (lib/domain/rule/response.ts).
// lib/rules/form/endpoint-mapping.ts converts them to WebhookRule.responseRules and back.

export const MAX_PARSERS = 20;

export const RESPONSE_MESSAGES = {
  ...RULE_RESPONSE_MESSAGES,
  statuses: "List status codes, ranges or classes separated by commas, e.g. 2xx or 200-299, 302.",
  parserDuplicate: "Each value name can be used once.",
  tooManyParsers: `Use at most ${MAX_PARSERS} values.`,
} as const;

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
