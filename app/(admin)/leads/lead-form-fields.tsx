"use client";

import { Plus, Trash2 } from "lucide-react";
import { useFieldArray, useFormContext, useWatch } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { describedBy, inputClass } from "@/components/ui/field";
import { SelectField, TextField as KitTextField } from "@/components/ui/form-fields";
import { MAX_CUSTOM_FIELDS, type LeadFormOutput, type LeadFormValues } from "@/lib/leads/form-values";
import type { ReferenceLists, ReferenceOption } from "@/lib/reference/queries";

// The lead form's inputs: text fields, reference selects (names from the organization's lists)
// and the custom field rows.

export type TextFieldName = Exclude<keyof LeadFormValues, "customFields">;

export function useLeadForm() {
  return useFormContext<LeadFormValues, unknown, LeadFormOutput>();
}

const ID_PREFIX = "lead";
const fieldId = (name: string) => `${ID_PREFIX}-${name}`;

export function TextField({ name, label, type = "text", hint, autoComplete = "off" }: { name: TextFieldName; label: string; type?: string; hint?: string; autoComplete?: string }) {
  return <KitTextField<LeadFormValues> name={name} label={label} idPrefix={ID_PREFIX} type={type} hint={hint} autoComplete={autoComplete} />;
}

/**
 * A select over one reference list. A value the list no longer has (renamed or removed in
 * Settings) stays selectable, marked, so opening the form does not silently change the lead.
 */
export function ReferenceSelect({ name, label, options, onChange }: { name: TextFieldName; label: string; options: ReferenceOption[]; onChange?: () => void }) {
  const { control } = useLeadForm();
  const current = useWatch({ control, name }) ?? "";
  const known = options.some((o) => o.name === current);
  const choices = [{ value: "", label: "—" }, ...(!known && current ? [{ value: current, label: `${current} (not in list)` }] : []), ...options.map((o) => ({ value: o.name, label: o.name }))];
  return <SelectField<LeadFormValues> name={name} label={label} idPrefix={ID_PREFIX} options={choices} registerOptions={{ onChange }} />;
}

export function ReferenceFields({ references }: { references: ReferenceLists }) {
  const { control, setValue } = useLeadForm();
  const status = useWatch({ control, name: "status" });
  const substatus = useWatch({ control, name: "substatus" });
  const substatuses = references.statuses.find((s) => s.name === status)?.substatuses ?? [];
  return (
    <>
      {/* A substatus belongs to its status: changing the status clears it. */}
      <ReferenceSelect name="status" label="Status" options={references.statuses} onChange={() => setValue("substatus", "", { shouldDirty: true })} />
      {(substatuses.length > 0 || substatus) && <ReferenceSelect name="substatus" label="Substatus" options={substatuses} />}
      <ReferenceSelect name="caseType" label="Case type" options={references.caseTypes} />
      <ReferenceSelect name="office" label="Office" options={references.offices} />
      <ReferenceSelect name="opportunitySource" label="Opportunity Source" options={references.opportunitySources} />
      <ReferenceSelect name="marketingSource" label="Marketing Source" options={references.marketingSources} />
    </>
  );
}

export function CustomFields() {
  const { control, register, formState } = useLeadForm();
  const { fields, append, remove } = useFieldArray({ control, name: "customFields" });
  const rowErrors = formState.errors.customFields;
  const listError = rowErrors?.message ?? rowErrors?.root?.message;
  return (
    <fieldset className="space-y-3">
      <legend className="text-sm font-semibold text-slate-900">Custom fields</legend>
      <p className="text-xs text-slate-500">Extra values sent with the lead, e.g. source_id. Names use letters, digits, _ . -</p>
      {fields.length === 0 && <p className="text-sm text-slate-500">No custom fields.</p>}
      {fields.map((row, i) => {
        const nameId = fieldId(`custom-${i}-name`);
        const valueId = fieldId(`custom-${i}-value`);
        const nameError = rowErrors?.[i]?.name?.message;
        const valueError = rowErrors?.[i]?.value?.message;
        return (
          <div key={row.id} className="grid gap-3 sm:grid-cols-[1fr_2fr_auto] sm:items-start">
            <div className="space-y-1.5">
              <label htmlFor={nameId} className="block text-xs font-medium text-slate-700">
                Field name<span className="sr-only"> {i + 1}</span>
              </label>
              <input id={nameId} className={inputClass} autoComplete="off" aria-invalid={!!nameError} aria-describedby={describedBy(nameId, nameError)} {...register(`customFields.${i}.name`)} />
              {nameError && (
                <p id={`${nameId}-error`} role="alert" className="text-xs font-medium text-red-600">
                  {nameError}
                </p>
              )}
            </div>
            <div className="space-y-1.5">
              <label htmlFor={valueId} className="block text-xs font-medium text-slate-700">
                Field value<span className="sr-only"> {i + 1}</span>
              </label>
              <input id={valueId} className={inputClass} autoComplete="off" aria-invalid={!!valueError} aria-describedby={describedBy(valueId, valueError)} {...register(`customFields.${i}.value`)} />
              {valueError && (
                <p id={`${valueId}-error`} role="alert" className="text-xs font-medium text-red-600">
                  {valueError}
                </p>
              )}
            </div>
            <Button variant="ghost" size="sm" className="sm:mt-6" onClick={() => remove(i)}>
              <Trash2 aria-hidden className="h-3.5 w-3.5" />
              Remove<span className="sr-only"> custom field {i + 1}</span>
            </Button>
          </div>
        );
      })}
      {listError && (
        <p role="alert" className="text-xs font-medium text-red-600">
          {listError}
        </p>
      )}
      <Button variant="secondary" size="sm" disabled={fields.length >= MAX_CUSTOM_FIELDS} onClick={() => append({ name: "", value: "" })}>
        <Plus aria-hidden className="h-3.5 w-3.5" />
        Add custom field
      </Button>
    </fieldset>
  );
}
