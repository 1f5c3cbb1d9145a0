"use client";

import { useWatch } from "react-hook-form";
import { describedBy, Field, Input } from "@/components/ui/field";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { Checkbox } from "@/components/ui/checkbox";
import { BATCH_LEADS_MAX, BATCH_SECONDS_MAX } from "@/lib/domain/rule/batch";
import { SelectField, useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";

const FORMAT_OPTIONS = [
  { value: "json", label: "JSON array" },
  { value: "csv", label: "CSV with a header row" },
];

/** On the Request tab: send the rule's leads in batches, up to N leads or every T seconds, as JSON or CSV. */
export function RuleFormBatchSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const on = useWatch({ control, name: "batch.enabled" }) ?? false;

  const numberField = (path: "batch.maxLeads" | "batch.maxSeconds", label: string, min: number, max: number) => {
    const id = fieldId(idPrefix, path);
    const error = messageAt(formState.errors, path);
    return (
      <Field label={label} htmlFor={id} error={error}>
        <Input id={id} type="number" inputMode="numeric" min={min} max={max} step={1} aria-invalid={!!error} aria-describedby={describedBy(id, error, false)} {...register(path, { valueAsNumber: true })} />
      </Field>
    );
  };
  const enabledError = messageAt(formState.errors, "batch.enabled");

  return (
    <RuleFormSection
      id={`${idPrefix}-batch-heading`}
      title="Batches"
      description="Send leads together, one request per batch: as soon as the most leads are waiting, or once the oldest has waited the most seconds, whichever comes first. The body is a JSON array of each lead's body, or CSV with a header row; the webhook-id header is the batch's id. Each lead's delivery records the batch's outcome. Test sends always go alone."
    >
      <div className="space-y-4">
        <Checkbox id={fieldId(idPrefix, "batch.enabled")} label="Send leads in batches" hint="Needs the JSON payload format." {...register("batch.enabled")} />
        {enabledError ? (
          <p className="text-sm text-red-700" role="alert">
            {enabledError}
          </p>
        ) : null}
        {on ? (
          <div className="grid gap-4 sm:grid-cols-3">
            {numberField("batch.maxLeads", "Most leads per batch", 2, BATCH_LEADS_MAX)}
            {numberField("batch.maxSeconds", "Most seconds to wait", 1, BATCH_SECONDS_MAX)}
            <SelectField name="batch.format" label="Batch format" idPrefix={idPrefix} options={FORMAT_OPTIONS} />
          </div>
        ) : null}
      </div>
    </RuleFormSection>
  );
}
