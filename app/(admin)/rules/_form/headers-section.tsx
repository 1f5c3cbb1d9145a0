"use client";

import { useFieldArray } from "react-hook-form";
import { describedBy, Input } from "@/components/ui/field";
import { RowField } from "@/components/ui/row-field";
import { MAX_HEADERS } from "@/lib/rules/form/request";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { useRuleForm } from "./fields";
import { AddRowButton, ListError, RemoveRowButton, RowsTable } from "./rows";
import { RuleFormSection } from "./tabs";

/** Custom headers sent with every request (name/value rows). */
export function RuleFormHeadersSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const { fields, append, remove } = useFieldArray({ control, name: "headers" });
  const errors = formState.errors;

  return (
    <RuleFormSection
      id={`${idPrefix}-headers-heading`}
      title="Headers"
      description="Extra headers sent with every request, e.g. an account id the endpoint expects. A Content-Type here replaces the one the payload format sets."
    >
      {fields.length === 0 ? (
        <p className="text-sm text-slate-500">No custom headers.</p>
      ) : (
        <RowsTable caption="Custom headers" columns={["Name", "Value", ""]}>
          {fields.map((row, i) => {
            const nameId = fieldId(idPrefix, `headers.${i}.name`);
            const valueId = fieldId(idPrefix, `headers.${i}.value`);
            const nameError = messageAt(errors, `headers.${i}.name`);
            const valueError = messageAt(errors, `headers.${i}.value`);
            return (
              <tr key={row.id}>
                <td className="w-2/5 pr-2 pb-2">
                  <RowField label={`Header name ${i + 1}`} htmlFor={nameId} error={nameError}>
                    <Input id={nameId} autoComplete="off" spellCheck={false} placeholder="X-Account-Id" aria-invalid={!!nameError} aria-describedby={describedBy(nameId, nameError)} {...register(`headers.${i}.name`)} />
                  </RowField>
                </td>
                <td className="pr-2 pb-2">
                  <RowField label={`Header value ${i + 1}`} htmlFor={valueId} error={valueError}>
                    <Input id={valueId} autoComplete="off" spellCheck={false} aria-invalid={!!valueError} aria-describedby={describedBy(valueId, valueError)} {...register(`headers.${i}.value`)} />
                  </RowField>
                </td>
                <td className="w-px pb-2">
                  <RemoveRowButton label={`Remove header ${i + 1}`} onClick={() => remove(i)} />
                </td>
              </tr>
            );
          })}
        </RowsTable>
      )}
      <ListError message={messageAt(errors, "headers")} />
      <AddRowButton label="Add header" disabled={fields.length >= MAX_HEADERS} onClick={() => append({ name: "", value: "" })} />
    </RuleFormSection>
  );
}
