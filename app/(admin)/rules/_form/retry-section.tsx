"use client";

import { describedBy, Field, Input, Select } from "@/components/ui/field";
import type { RuleField } from "@/lib/rules/form/rule";
import { errorMessage, useRuleForm, YesNoSelect } from "./fields";
import { RuleFormSection } from "./tabs";

/** The Response tab's retry policy: a fixed schedule of delays, or exponential backoff. */
export function RuleFormRetrySection({ idPrefix }: { idPrefix: string }) {
  const { register, formState, watch } = useRuleForm();
  const kind = watch("retryKind");
  const kindId = `${idPrefix}-retryKind`;
  const kindError = errorMessage(formState.errors, "retryKind");

  const numberField = (name: Extract<RuleField, "retryBaseSeconds" | "retryMaxAttempts" | "retryMaxDelaySeconds">, label: string, hint: string) => {
    const id = `${idPrefix}-${name}`;
    const error = errorMessage(formState.errors, name);
    return (
      <Field label={label} htmlFor={id} hint={hint} error={error}>
        <Input id={id} type="number" inputMode="numeric" className="max-w-48" aria-invalid={!!error} aria-describedby={describedBy(id, error, true)} {...register(name, { valueAsNumber: true })} />
      </Field>
    );
  };
  const delaysId = `${idPrefix}-retryDelays`;
  const delaysError = errorMessage(formState.errors, "retryDelays");

  return (
    <RuleFormSection
      id={`${idPrefix}-retry-heading`}
      title="Retries"
      description="Failed attempts (timeouts, network errors, 408, 429 and 5xx responses) are tried again on this schedule, with ±20% jitter; a Retry-After header from the endpoint can lengthen a wait (up to 6 h), never shorten it. After the last attempt the delivery is marked failed."
    >
      <div className="space-y-4">
        <Field label="Retry strategy" htmlFor={kindId} error={kindError}>
          <Select id={kindId} className="max-w-72" {...register("retryKind")}>
            <option value="schedule">Fixed schedule</option>
            <option value="exponential">Exponential backoff</option>
          </Select>
        </Field>
        {kind === "exponential" ? (
          <div className="grid gap-4 sm:grid-cols-3">
            {numberField("retryBaseSeconds", "Base delay (seconds)", "The wait after the first failure; it doubles each time.")}
            {numberField("retryMaxAttempts", "Maximum attempts", "Including the first, 1 to 20.")}
            {numberField("retryMaxDelaySeconds", "Longest delay (seconds)", "The doubling stops here.")}
          </div>
        ) : (
          <Field
            label="Delays between attempts (seconds)"
            htmlFor={delaysId}
            hint="One number per attempt, the first usually 0 (send at once). Default: 0, 30, 120, 600, 3600, 21600 — immediately, then +30 s, +2 min, +10 min, +1 h, +6 h."
            error={delaysError}
          >
            <Input id={delaysId} aria-invalid={!!delaysError} aria-describedby={describedBy(delaysId, delaysError, true)} {...register("retryDelays")} />
          </Field>
        )}
        <YesNoSelect name="retryOn4xx" label="Retry other 4xx responses" idPrefix={idPrefix} hint="By default a 4xx other than 408 and 429 means the request itself is wrong, and it is not retried." />
      </div>
    </RuleFormSection>
  );
}
