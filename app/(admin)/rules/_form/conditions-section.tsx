"use client";

import { useFieldArray, useWatch } from "react-hook-form";
import { describedBy, Input, Select } from "@/components/ui/field";
import { RowField } from "@/components/ui/row-field";
import { CONDITION_OPERATORS } from "@/lib/domain/rule/request";
import { MAX_CONDITIONS } from "@/lib/rules/form/request";
import { FieldPathPicker } from "./field-path";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { useRuleForm } from "./fields";
import { AddRowButton, ListError, RemoveRowButton, RowsTable } from "./rows";
import { RuleFormSection } from "./tabs";

const NO_VALUE = new Set(["empty", "not_empty"]);

/** Conditions on lead fields: a lead that does not meet them is skipped, with the reason. */
export function RuleFormConditionsSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const { fields, append, remove } = useFieldArray({ control, name: "conditions" });
  const rows = useWatch({ control, name: "conditions" }) ?? [];
  const errors = formState.errors;
  const matchId = fieldId(idPrefix, "conditionMatch");

  return (
    <RuleFormSection
      id={`${idPrefix}-conditions-heading`}
      wide
      title="Conditions"
      description="Beyond the trigger and creation rules: a lead that does not meet these is not sent, and its delivery shows as Skipped with the reason."
    >
      {fields.length === 0 ? (
        <p className="text-sm text-slate-500">No conditions: every lead the trigger matches is sent.</p>
      ) : (
        <>
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
            <span aria-hidden>Send only when</span>
            <label htmlFor={matchId} className="sr-only">
              Send only when these conditions match
            </label>
            <Select id={matchId} className="max-w-24" {...register("conditionMatch")}>
              <option value="all">all</option>
              <option value="any">any</option>
            </Select>
            <span aria-hidden>of these conditions match:</span>
          </p>
          <RowsTable caption="Conditions" columns={["Field", "Operator", "Value", ""]}>
            {fields.map((row, i) => {
              const n = i + 1;
              const opId = fieldId(idPrefix, `conditions.${i}.op`);
              const valueId = fieldId(idPrefix, `conditions.${i}.value`);
              const valueError = messageAt(errors, `conditions.${i}.value`);
              const op = rows[i]?.op ?? "equals";
              return (
                <tr key={row.id}>
                  <td className="w-2/5 pr-2 pb-2">
                    <FieldPathPicker name={`conditions.${i}.field`} label={`Condition field ${n}`} customLabel={`Condition custom field ${n}`} idPrefix={idPrefix} />
                  </td>
                  <td className="w-48 pr-2 pb-2">
                    <RowField label={`Operator ${n}`} htmlFor={opId}>
                      <Select id={opId} {...register(`conditions.${i}.op`)}>
                        {CONDITION_OPERATORS.map((o) => (
                          <option key={o.value} value={o.value}>
                            {o.label}
                          </option>
                        ))}
                      </Select>
                    </RowField>
                  </td>
                  <td className="pr-2 pb-2">
                    {!NO_VALUE.has(op) && (
                      <RowField label={`Condition value ${n}`} htmlFor={valueId} error={valueError}>
                        <Input
                          id={valueId}
                          autoComplete="off"
                          placeholder={op === "in" ? "Boston, Chicago" : undefined}
                          aria-invalid={!!valueError}
                          aria-describedby={describedBy(valueId, valueError)}
                          {...register(`conditions.${i}.value`)}
                        />
                      </RowField>
                    )}
                  </td>
                  <td className="w-px pb-2">
                    <RemoveRowButton label={`Remove condition ${n}`} onClick={() => remove(i)} />
                  </td>
                </tr>
              );
            })}
          </RowsTable>
        </>
      )}
      <ListError message={messageAt(errors, "conditions")} />
      <AddRowButton label="Add condition" disabled={fields.length >= MAX_CONDITIONS} onClick={() => append({ field: "", op: "equals", value: "" })} />
    </RuleFormSection>
  );
}
