"use client";

import { useFieldArray, useWatch } from "react-hook-form";
import { Radio } from "@/components/ui/checkbox";
import { describedBy, Input, Select, Textarea } from "@/components/ui/field";
import { RowField } from "@/components/ui/row-field";
import type { FieldMapping } from "@/lib/domain/rule/request";
import { MAPPING_SOURCES, MAX_MAPPINGS } from "@/lib/rules/form/request";
import { AnswerVariables } from "./answer-variables";
import { FieldPathPicker } from "./field-path";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { useRuleForm } from "./fields";
import { JoinInputs } from "./join-inputs";
import { TransformsPanel, TransformsToggle, useTransformsOpen } from "./mapping-transforms";
import { AddRowButton, ListError, RemoveRowButton, RowsTable } from "./rows";
import { RuleFormSection } from "./tabs";

const NEW_MAPPING: FieldMapping = { target: "", source: "field", value: "", defaultValue: "", trim: false, digitsOnly: false, case: "none", dateFormat: "" };
const COLUMNS = ["Outbound field", "Source", "Value", "", ""] as const;

/** "Map all fields" or a table of outbound field ← lead field / static value / template / joined fields. */
export function RuleFormMappingsSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const mode = useWatch({ control, name: "mappingMode" }) ?? "all";
  const modeId = fieldId(idPrefix, "mappingMode");

  return (
    <RuleFormSection
      id={`${idPrefix}-mappings-heading`}
      wide
      title="Field mappings"
      description="The receiver's field names. Nested names use dots (name.first becomes { name: { first } } in JSON)."
    >
      <fieldset className="space-y-2">
        <legend className="sr-only">Fields to send</legend>
        <Radio id={`${modeId}-all`} value="all" label="Map all fields" hint="Send every lead field under its own name." {...register("mappingMode")} />
        <Radio id={`${modeId}-custom`} value="custom" label="Custom mapping" hint="Send only the fields below, under the receiver's names." {...register("mappingMode")} />
      </fieldset>
      {mode === "custom" && <MappingRows idPrefix={idPrefix} />}
      <ListError message={messageAt(formState.errors, "mappingMode")} />
    </RuleFormSection>
  );
}

function MappingRows({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState, setValue } = useRuleForm();
  const { fields, append, remove } = useFieldArray({ control, name: "fieldMappings" });
  const rows = useWatch({ control, name: "fieldMappings" }) ?? [];
  const errors = formState.errors;
  const transforms = useTransformsOpen(errors);

  return (
    <>
      {fields.length === 0 ? (
        <p className="text-sm text-slate-500">No fields mapped yet: add the first one.</p>
      ) : (
        <RowsTable caption="Field mappings" columns={COLUMNS}>
          {fields.map((row, i) => {
            const n = i + 1;
            const targetId = fieldId(idPrefix, `fieldMappings.${i}.target`);
            const sourceId = fieldId(idPrefix, `fieldMappings.${i}.source`);
            const valueId = fieldId(idPrefix, `fieldMappings.${i}.value`);
            const targetError = messageAt(errors, `fieldMappings.${i}.target`);
            const valueError = messageAt(errors, `fieldMappings.${i}.value`);
            const source = rows[i]?.source ?? "field";
            const panelId = `${idPrefix}-mapping-${row.id}-transforms`;
            return [
              <tr key={row.id}>
                <td className="w-1/4 pr-2 pb-2">
                  <RowField label={`Outbound field ${n}`} htmlFor={targetId} error={targetError}>
                    <Input id={targetId} autoComplete="off" spellCheck={false} placeholder="email_address" aria-invalid={!!targetError} aria-describedby={describedBy(targetId, targetError)} {...register(`fieldMappings.${i}.target`)} />
                  </RowField>
                </td>
                <td className="w-40 pr-2 pb-2">
                  <RowField label={`Source ${n}`} htmlFor={sourceId}>
                    <Select
                      id={sourceId}
                      // Each source reads the value differently: a field path is no good as a template.
                      {...register(`fieldMappings.${i}.source`, { onChange: () => setValue(`fieldMappings.${i}.value`, "", { shouldDirty: true }) })}
                    >
                      {MAPPING_SOURCES.map((s) => (
                        <option key={s.value} value={s.value}>
                          {s.label}
                        </option>
                      ))}
                    </Select>
                  </RowField>
                </td>
                <td className="pr-2 pb-2">
                  {source === "field" ? (
                    <FieldPathPicker name={`fieldMappings.${i}.value`} label={`Value ${n}`} customLabel={`Custom field name ${n}`} idPrefix={idPrefix} />
                  ) : (
                    <RowField label={`Value ${n}`} htmlFor={valueId} error={valueError}>
                      {source === "join" ? (
                        <JoinInputs index={i} idPrefix={idPrefix} valueId={valueId} valueError={valueError} />
                      ) : source === "template" ? (
                        <Textarea id={valueId} rows={2} spellCheck={false} placeholder="{{ lead.firstName }} {{ lead.lastName }}" aria-invalid={!!valueError} aria-describedby={describedBy(valueId, valueError)} {...register(`fieldMappings.${i}.value`)} />
                      ) : (
                        <Input id={valueId} autoComplete="off" aria-invalid={!!valueError} aria-describedby={describedBy(valueId, valueError)} {...register(`fieldMappings.${i}.value`)} />
                      )}
                    </RowField>
                  )}
                </td>
                <td className="w-px pr-2 pb-2">
                  <TransformsToggle n={n} row={rows[i]} open={transforms.isOpen(row.id, i)} controls={panelId} onToggle={() => transforms.toggle(row.id, i)} />
                </td>
                <td className="w-px pb-2">
                  <RemoveRowButton label={`Remove mapping ${n}`} onClick={() => remove(i)} />
                </td>
              </tr>,
              <tr key={`${row.id}-transforms`} id={panelId} hidden={!transforms.isOpen(row.id, i)}>
                <td colSpan={COLUMNS.length} className="pb-3">
                  <TransformsPanel index={i} idPrefix={idPrefix} />
                </td>
              </tr>,
            ];
          })}
        </RowsTable>
      )}
      {rows.some((r) => r?.source === "template") && <AnswerVariables />}
      <ListError message={messageAt(errors, "fieldMappings")} />
      <AddRowButton label="Add mapping" disabled={fields.length >= MAX_MAPPINGS} onClick={() => append({ ...NEW_MAPPING })} />
    </>
  );
}
