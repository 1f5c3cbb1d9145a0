"use client";

import { useFormContext, type FieldError, type FieldErrors } from "react-hook-form";
import { describedBy, Field, Select } from "@/components/ui/field";
import type { ReferenceOption } from "@/lib/reference/queries";
import type { RuleInput, RuleField, RuleValues } from "@/lib/validations/rule";

// Small pieces shared by the rule form's tabs.

export type RuleFormContext = ReturnType<typeof useFormContext<RuleInput, unknown, RuleValues>>;

export function useRuleForm(): RuleFormContext {
  return useFormContext<RuleInput, unknown, RuleValues>();
}

/** The first message for a field, also when the error sits on an array item (caseTypeIds.0). */
export function errorMessage(errors: FieldErrors<RuleInput>, name: RuleField): string | undefined {
  const error = errors[name] as (FieldError & Record<number, FieldError | undefined>) | undefined;
  if (!error) return undefined;
  if (error.message) return error.message;
  for (const item of Object.values(error)) {
    if (item && typeof item === "object" && "message" in item && typeof item.message === "string") return item.message;
  }
  return undefined;
}

/** "Yes"/"No" select holding a boolean (the values travel as strings in the DOM). */
export function YesNoSelect({ name, label, hint, idPrefix }: { name: "enabled" | "requiresCaseTrackerCode" | "retryOn4xx"; label: string; hint?: string; idPrefix: string }) {
  const { register, formState } = useRuleForm();
  const id = `${idPrefix}-${name}`;
  const error = errorMessage(formState.errors, name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error}>
      <Select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...register(name, { setValueAs: (v: unknown) => v === true || v === "true" })}>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </Select>
    </Field>
  );
}

/** A reference list select whose empty option reads "Any". */
export function ReferenceSelect({
  name,
  label,
  options,
  idPrefix,
  hint,
  onChange,
}: {
  name: "statusId" | "substatusId" | "officeId" | "opportunitySourceId" | "marketingSourceId";
  label: string;
  options: ReferenceOption[];
  idPrefix: string;
  hint?: string;
  onChange?: () => void;
}) {
  const { register, formState } = useRuleForm();
  const id = `${idPrefix}-${name}`;
  const error = errorMessage(formState.errors, name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error}>
      <Select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...register(name, { onChange })}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}
