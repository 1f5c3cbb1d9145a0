"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction, type ActionResult, type FieldErrors } from "@/lib/auth/action";
import { env } from "@/lib/core/env";
import { createRule, updateRule } from "@/lib/rules/mutations";
import { verifiedTest } from "@/lib/rules/test-receipt";
import { ruleSchema, type RuleInput } from "@/lib/rules/form/rule";

// The schema is built per call: whether http:// URLs are allowed comes from the environment,
// read when the action runs (and tests change it between calls).
const testWithReceipt = z.object({ at: z.string().max(40), ok: z.boolean(), status: z.int().min(0).max(999), title: z.string().max(500), receipt: z.string().max(100) });
type TestWithReceipt = z.input<typeof testWithReceipt>;

function schema() {
  return ruleSchema({ allowInsecureUrls: env().ALLOW_INSECURE_URLS });
}

/** `test`: a Test Connection run before the first save, kept when its receipt verifies. */
export async function createRuleAction(input: RuleInput, test?: TestWithReceipt): Promise<ActionResult<{ id: string }>> {
  const run = authedAction({ schema: schema(), role: "ADMIN" }, async (values, ctx) => {
    const parsedTest = testWithReceipt.safeParse(test);
    const lastTest = parsedTest.success ? verifiedTest(ctx.organizationId, parsedTest.data) : null;
    const rule = await createRule(ctx.prisma, ctx.organizationId, values, lastTest);
    revalidatePath("/rules");
    return rule;
  });
  return run(input);
}

export async function updateRuleAction(input: { ruleId: string; values: RuleInput }): Promise<ActionResult<{ id: string }>> {
  const run = authedAction({ schema: z.object({ ruleId: z.string().min(1).max(100), values: schema() }), role: "ADMIN" }, async ({ ruleId, values }, ctx) => {
    const rule = await updateRule(ctx.prisma, ctx.organizationId, ruleId, values);
    revalidatePath("/rules");
    revalidatePath(`/rules/${rule.id}`);
    return rule;
  });
  const res = await run(input);
  // The form knows its fields as "title", not "values.title".
  return res.ok || !res.fieldErrors ? res : { ...res, fieldErrors: unnest(res.fieldErrors, "values.") };
}

function unnest(errors: FieldErrors, prefix: string): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([key, messages]) => [key.startsWith(prefix) ? key.slice(prefix.length) : key, messages]));
}
