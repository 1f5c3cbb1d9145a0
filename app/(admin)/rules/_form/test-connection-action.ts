"use server";

import { z } from "zod";
import { authedAction, type ActionResult, type FieldErrors } from "@/lib/auth/action";
import { outbound } from "@/lib/delivery/engine/runtime";
import { testConnection, type TestConnectionResult } from "@/lib/rules/test-connection";
import { env } from "@/lib/core/env";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { decryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { authConfigFromForm } from "@/lib/rules/form/credentials-mapping";
import { destinationErrors } from "@/lib/rules/destinations";
import { responseRulesFromForm } from "@/lib/rules/form/endpoint-mapping";
import { organizationSigningSecrets, secretsThatSign } from "@/lib/signing/which-secrets";
import { signTestReceipt } from "@/lib/rules/test-receipt";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { ruleSchema, type RuleInput } from "@/lib/rules/form/rule";

/**
 * The Authentication tab's Test Connection: runs the form's current values (saved or not), with
 * the stored secrets standing in for blank secret fields of a saved rule, signed as the rule's
 * deliveries are. A saved rule records when it was last tested and the outcome.
 */
export async function testConnectionAction(input: { ruleId?: string; values: RuleInput }): Promise<ActionResult<TestConnectionResult & { receipt?: string }>> {
  const schema = z.object({ ruleId: z.string().min(1).max(100).optional(), values: ruleSchema({ allowInsecureUrls: env().ALLOW_INSECURE_URLS }) });
  const run = authedAction({ schema, role: "ADMIN" }, async ({ ruleId, values }, ctx) => {
    // The same destination check as Save, so a URL is refused under its field, in the same words.
    const destinations = await destinationErrors(values);
    if (Object.keys(destinations).length) throw new DomainError("Some URLs lead to addresses Leadhooks does not call. Please correct them.", destinations);
    const organization = await ctx.prisma.organization.findUniqueOrThrow({ where: { id: ctx.organizationId }, select: { id: true, name: true } });
    const rule = ruleId
      ? await ctx.prisma.webhookRule.findFirst({
          where: { id: ruleId, organizationId: ctx.organizationId },
          select: { authType: true, authConfigEncrypted: true, signingSecretEncrypted: true, previousSecretEncrypted: true, previousSecretExpiresAt: true },
        })
      : null;
    if (ruleId && !rule) throw new NotFoundError();
    const stored: AuthConfig | null = rule ? decryptAuthConfig(rule.authType, rule.authConfigEncrypted) : null;
    const signingSecrets = await secretsThatSign(rule, new Date(), () => organizationSigningSecrets(ctx.prisma, ctx.organizationId));
    // Blank secrets in the form mean "the saved ones", as on Save.
    const auth = authConfigFromForm(values.auth, stored);
    const result = await testConnection(
      {
        organization,
        ruleId: ruleId ?? null,
        trigger: values.events[0]!,
        url: values.url,
        request: values,
        auth,
        responseRules: responseRulesFromForm(values),
        timeoutMs: values.timeoutMs,
        signatureScheme: values.signatureScheme,
        signingSecrets,
      },
      outbound(),
    );
    if (ruleId) {
      await ctx.prisma.webhookRule.updateMany({
        where: { id: ruleId, organizationId: ctx.organizationId },
        data: { lastTestedAt: new Date(result.testedAt), lastTestResult: { ok: result.ok, status: result.status, title: result.title } },
      });
    }
    // An unsaved rule keeps its result through the create action, with a receipt it can verify.
    return ruleId ? result : { ...result, receipt: signTestReceipt(ctx.organizationId, { at: result.testedAt, ok: result.ok, status: result.status, title: result.title }) };
  });
  const res = await run(input);
  // The form knows its fields as "url", not "values.url".
  return res.ok || !res.fieldErrors ? res : { ...res, fieldErrors: unnest(res.fieldErrors) };
}

function unnest(errors: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([key, messages]) => [key.startsWith("values.") ? key.slice("values.".length) : key, messages]));
}
