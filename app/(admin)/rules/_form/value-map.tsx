"use client";

import { useFieldArray } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { describedBy, Field, Input } from "@/components/ui/field";
import { RowField } from "@/components/ui/row-field";
import { MAX_VALUE_MAP_ROWS } from "@/lib/domain/rule/request";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { useRuleForm } from "./fields";
import { AddRowButton, ListError, RemoveRowButton, RowsTable } from "./rows";

// A field mapping's value map: "from → to" rows, a default for values no row names, and whether
// case counts. Shown in the mapping's transforms panel.

export function ValueMapEditor({ index: i, idPrefix }: { index: number; idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const { fields, append, remove } = useFieldArray({ control, name: `fieldMappings.${i}.valueMap` });
  const errors = formState.errors;
  const n = i + 1;
  const defaultId = fieldId(idPrefix, `fieldMappings.${i}.valueMapDefault`);
  const ignoreCaseId = fieldId(idPrefix, `fieldMappings.${i}.valueMapIgnoreCase`);

  return (
    <fieldset className="space-y-2 sm:col-span-2 lg:col-span-4">
      <legend className="text-sm font-medium text-slate-700">Value map {n}</legend>
      <p className="text-xs text-slate-500">Translate values, e.g. Auto Accident → AUTO. Values are compared after trimming spaces.</p>
      {fields.length > 0 && (
        <RowsTable caption={`Value map ${n}`} columns={["When the value is", "Send", ""]}>
          {fields.map((row, r) => {
            const fromId = fieldId(idPrefix, `fieldMappings.${i}.valueMap.${r}.from`);
            const toId = fieldId(idPrefix, `fieldMappings.${i}.valueMap.${r}.to`);
            const fromError = messageAt(errors, `fieldMappings.${i}.valueMap.${r}.from`);
            const toError = messageAt(errors, `fieldMappings.${i}.valueMap.${r}.to`);
            return (
              <tr key={row.id}>
                <td className="pr-2 pb-2">
                  <RowField label={`Map ${n} value ${r + 1}`} htmlFor={fromId} error={fromError}>
                    <Input id={fromId} autoComplete="off" placeholder="Auto Accident" aria-invalid={!!fromError} aria-describedby={describedBy(fromId, fromError)} {...register(`fieldMappings.${i}.valueMap.${r}.from`)} />
                  </RowField>
                </td>
                <td className="pr-2 pb-2">
                  <RowField label={`Map ${n} sends ${r + 1}`} htmlFor={toId} error={toError}>
                    <Input id={toId} autoComplete="off" placeholder="AUTO" aria-invalid={!!toError} aria-describedby={describedBy(toId, toError)} {...register(`fieldMappings.${i}.valueMap.${r}.to`)} />
                  </RowField>
                </td>
                <td className="w-px pb-2">
                  <RemoveRowButton label={`Remove map ${n} row ${r + 1}`} onClick={() => remove(r)} />
                </td>
              </tr>
            );
          })}
        </RowsTable>
      )}
      <ListError message={messageAt(errors, `fieldMappings.${i}.valueMap`)} />
      <AddRowButton label={`Add value to map ${n}`} disabled={fields.length >= MAX_VALUE_MAP_ROWS} onClick={() => append({ from: "", to: "" })} />
      {fields.length > 0 && (
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={`Unmapped values ${n}`} htmlFor={defaultId} hint="Sent for a value no row names. Empty: the value is sent unchanged.">
            <Input id={defaultId} autoComplete="off" placeholder="(send the value unchanged)" {...register(`fieldMappings.${i}.valueMapDefault`)} />
          </Field>
          <div className="pt-6">
            <Checkbox id={ignoreCaseId} label={<>Ignore upper and lower case<span className="sr-only"> in map {n}</span></>} {...register(`fieldMappings.${i}.valueMapIgnoreCase`)} />
          </div>
        </div>
      )}
    </fieldset>
  );
}
