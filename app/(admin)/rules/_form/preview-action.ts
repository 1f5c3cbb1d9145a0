"use server";

import { z } from "zod";
import { authedAction, type ActionResult } from "@/lib/auth/action";
import { organizationAnswerPaths, sampleAnswers } from "@/lib/rules/answer-paths";
import { previewRequest, type PreviewResult } from "@/lib/rules/preview";
import { authFormSchema, emptyAuthForm } from "@/lib/rules/form/credentials";
import { refineRequest, requestFormFields } from "@/lib/rules/form/request";
import type { RuleInput } from "@/lib/rules/form/rule";

// Only what the preview renders: a rule without a title yet can still be previewed.
const previewSchema = z.object({
  values: z
    .object({
      url: z.string().max(2048).default(""),
      events: z.array(z.string().max(100)).max(50).default([]),
      signatureScheme: z.enum(["STANDARD", "HMAC_HEX"]).default("STANDARD"),
      auth: authFormSchema.default(emptyAuthForm()),
      ...requestFormFields,
    })
    .superRefine(refineRequest),
});

export async function previewRequestAction(input: { values: RuleInput }): Promise<ActionResult<PreviewResult>> {
  const run = authedAction({ schema: previewSchema, role: "VIEWER" }, async ({ values }, ctx) => {
    const [organization, answerPaths] = await Promise.all([
      ctx.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId }, select: { id: true, name: true } }),
      organizationAnswerPaths(ctx.prisma, ctx.organizationId),
    ]);
    // The sample lead carries a sample of every kept answer, so a template reading one shows it.
    const answers = sampleAnswers(answerPaths);
    return previewRequest({ organization, trigger: values.events[0] ?? "lead.created", answers, url: values.url, request: values, auth: values.auth, signatureScheme: values.signatureScheme });
  });
  return run(input);
}
