"use client";

import { useWatch } from "react-hook-form";
import { describedBy, Field, Input } from "@/components/ui/field";
import { fieldId, SelectField, useFieldError } from "@/components/ui/form-fields";
import { DUPLICATE_DAYS_MAX, DUPLICATE_FIELD_MAX } from "@/lib/domain/rule/duplicates";
import type { RuleInput } from "@/lib/rules/form/rule";
import { TextField, useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";

const MATCHES = [
  { value: "off", label: "Off: send every lead" },
  { value: "lead", label: "The same lead" },
  { value: "email", label: "A lead with the same email" },
  { value: "phone", label: "A lead with the same phone" },
  { value: "field", label: "A lead with the same value in a field…" },
] as const;

/** The Rule tab's duplicate suppression: what makes a new lead a duplicate, and for how many days. */
export function RuleFormDuplicatesSection({ idPrefix }: { idPrefix: string }) {
  const { control, register } = useRuleForm();
  const match = useWatch({ control, name: "duplicates.match" }) ?? "off";
  const daysId = fieldId(idPrefix, "duplicates.days");
  const daysError = useFieldError("duplicates.days");

  return (
    <RuleFormSection
      id={`${idPrefix}-duplicates-heading`}
      title="Duplicates"
      description="Don't send a new lead this rule already sent within a number of days. The duplicate's delivery is skipped with a link to the earlier one; an admin can still send it from the delivery log. Only New Lead deliveries are checked; emails match case-insensitively and phones by their digits."
    >
      <SelectField<RuleInput> name="duplicates.match" label="Skip a new lead when this rule already sent" idPrefix={idPrefix} options={MATCHES} className="max-w-96" />
      {match !== "off" && (
        <div className="grid gap-4 sm:grid-cols-2">
          {match === "field" && (
            <TextField name="duplicates.field" label="Lead field" idPrefix={idPrefix} maxLength={DUPLICATE_FIELD_MAX} placeholder="caseTrackerCode or customFields.ssn" hint="A lead field, or customFields.<name> for a custom field." />
          )}
          <Field label="Within (days)" htmlFor={daysId} hint={`1 to ${DUPLICATE_DAYS_MAX}.`} error={daysError}>
            <Input id={daysId} type="number" inputMode="numeric" min={1} max={DUPLICATE_DAYS_MAX} className="max-w-32" aria-invalid={!!daysError} aria-describedby={describedBy(daysId, daysError, true)} {...register("duplicates.days", { valueAsNumber: true })} />
          </Field>
        </div>
      )}
    </RuleFormSection>
  );
}
