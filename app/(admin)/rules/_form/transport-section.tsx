"use client";

import { describedBy, Field, Input, Select } from "@/components/ui/field";
import { SIGNATURE_SCHEMES } from "@/lib/domain/rule";
import { TIMEOUT_MAX_MS, TIMEOUT_MIN_MS } from "@/lib/rules/form/rule";
import { errorMessage, useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";

/** On the Request tab: how long to wait for the endpoint, and how the request is signed. */
export function RuleFormTransportSections({ idPrefix }: { idPrefix: string }) {
  const { register, formState } = useRuleForm();
  const timeoutId = `${idPrefix}-timeoutMs`;
  const schemeId = `${idPrefix}-signatureScheme`;
  const timeoutError = errorMessage(formState.errors, "timeoutMs");
  const schemeError = errorMessage(formState.errors, "signatureScheme");

  return (
    <>
      <RuleFormSection id={`${idPrefix}-timeout-heading`} title="Timeout" description="A request that takes longer counts as failed and is retried.">
        <Field label="Timeout (milliseconds)" htmlFor={timeoutId} hint="From 1,000 to 30,000 ms (1 to 30 seconds). Default: 10,000 ms." error={timeoutError}>
          <Input
            id={timeoutId}
            type="number"
            inputMode="numeric"
            min={TIMEOUT_MIN_MS}
            max={TIMEOUT_MAX_MS}
            step={500}
            className="max-w-48"
            aria-invalid={!!timeoutError}
            aria-describedby={describedBy(timeoutId, timeoutError, true)}
            {...register("timeoutMs", { valueAsNumber: true })}
          />
        </Field>
      </RuleFormSection>

      <RuleFormSection
        id={`${idPrefix}-signature-heading`}
        title="Signature"
        description="Every request is signed with your organization's signing key so the receiver can verify it came from you."
      >
        <Field
          label="Signature scheme"
          htmlFor={schemeId}
          hint="Standard Webhooks sends webhook-id, webhook-timestamp and webhook-signature headers (verifiable with the standardwebhooks libraries). HMAC-SHA256 hex sends a hex digest in the X-Leadhooks-Signature header, for receivers built for that format."
          error={schemeError}
        >
          <Select id={schemeId} aria-invalid={!!schemeError} aria-describedby={describedBy(schemeId, schemeError, true)} {...register("signatureScheme")}>
            {SIGNATURE_SCHEMES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </Select>
        </Field>
      </RuleFormSection>
    </>
  );
}
