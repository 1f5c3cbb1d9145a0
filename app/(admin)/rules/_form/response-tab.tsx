"use client";

import { useFieldArray, useWatch } from "react-hook-form";
import { Checkbox } from "@/components/ui/checkbox";
import { describedBy, Input, Select } from "@/components/ui/field";
import { RowField } from "@/components/ui/row-field";
import { ANSWER_NAMES } from "@/lib/domain/rule/response";
import { MAX_PARSERS } from "@/lib/rules/form/response";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { SelectField, TextField, useRuleForm } from "./fields";
import { RuleFormRetrySection } from "./retry-section";
import { RuleFormChainSection } from "./chain-section";
import type { ChainChoice } from "@/lib/rules/chain-choices";
import { AddRowButton, ListError, RemoveRowButton, RowsTable } from "./rows";
import { RuleFormSection } from "./tabs";

const PATH_KINDS = [
  { value: "json", label: "JSON path" },
  { value: "xpath", label: "XPath (XML)" },
] as const;
const PARSER_KINDS = [...PATH_KINDS, { value: "regex", label: "Regular expression (text)" }] as const;

/** The "Response" tab: what counts as success, values to read from responses, retries, and where the lead goes next. */
export function RuleFormResponseTab({ idPrefix, chainRules }: { idPrefix: string; chainRules: readonly ChainChoice[] }) {
  const { control, register } = useRuleForm();
  const bodyCheck = useWatch({ control, name: "bodyCondition.enabled" }) ?? false;
  const p = idPrefix;

  return (
    <>
      <RuleFormSection id={`${p}-success-heading`} title="Success" description="Which responses count as delivered. Anything else is a failure, retried per the policy below.">
        <TextField
          name="successStatuses"
          label="Success status codes"
          idPrefix={p}
          className="max-w-sm"
          placeholder="2xx"
          hint="Codes, ranges or classes separated by commas, e.g. 2xx or 200-299, 302. Default: 2xx."
        />
        <Checkbox
          id={fieldId(p, "bodyCondition.enabled")}
          label="Also check the response body"
          hint={'For endpoints that answer 200 with {"status":"error"}: the delivery succeeds only when the value at the path equals the text below.'}
          {...register("bodyCondition.enabled")}
        />
        {bodyCheck && (
          <div className="grid gap-4 sm:grid-cols-3">
            <SelectField name="bodyCondition.kind" label="Body path type" idPrefix={p} options={PATH_KINDS} />
            <TextField name="bodyCondition.path" label="Body path" idPrefix={p} placeholder="status" />
            <TextField name="bodyCondition.equals" label="Equals" idPrefix={p} placeholder="ok" />
          </div>
        )}
      </RuleFormSection>

      <ParsersSection idPrefix={p} />

      <RuleFormSection
        id={`${p}-error-parser-heading`}
        title="Error parser"
        description="Where a failure response says what went wrong. The values are shown in the delivery log. Blank: not read."
      >
        <SelectField name="errorParser.kind" label="Error path type" idPrefix={p} options={PATH_KINDS} className="max-w-xs" />
        <div className="grid gap-4 sm:grid-cols-3">
          <TextField name="errorParser.code" label="Error code path" idPrefix={p} placeholder="error.code" />
          <TextField name="errorParser.message" label="Error message path" idPrefix={p} placeholder="error.message" />
          <TextField name="errorParser.field" label="Error field path" idPrefix={p} placeholder="error.field" />
        </div>
      </RuleFormSection>

      <RuleFormRetrySection idPrefix={p} />

      <RuleFormChainSection idPrefix={p} rules={chainRules} />
    </>
  );
}

/** Named values read from each response (e.g. the receiver's lead id), shown on the delivery and the lead. */
function ParsersSection({ idPrefix }: { idPrefix: string }) {
  const { control, register, formState } = useRuleForm();
  const { fields, append, remove } = useFieldArray({ control, name: "responseParsers" });
  const errors = formState.errors;

  return (
    <RuleFormSection
      id={`${idPrefix}-parsers-heading`}
      title="Response parser"
      description="The client's answer: values to read from each response, such as its id for the lead (remoteId), result, reason or price. They are kept on the delivery and on the lead, and later rules' templates read them as {{ answers.<this rule's id>.remoteId }}. The delivery log searches and exports remoteId and result."
    >
      <datalist id={`${idPrefix}-answer-names`}>
        {ANSWER_NAMES.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      {fields.length === 0 ? (
        <p className="text-sm text-slate-500">No values are read from responses.</p>
      ) : (
        <RowsTable caption="Response values" columns={["Name", "Path type", "Path", ""]}>
          {fields.map((row, i) => {
            const n = i + 1;
            const nameId = fieldId(idPrefix, `responseParsers.${i}.name`);
            const kindId = fieldId(idPrefix, `responseParsers.${i}.kind`);
            const pathId = fieldId(idPrefix, `responseParsers.${i}.path`);
            const nameError = messageAt(errors, `responseParsers.${i}.name`);
            const pathError = messageAt(errors, `responseParsers.${i}.path`);
            return (
              <tr key={row.id}>
                <td className="w-1/4 pr-2 pb-2">
                  <RowField label={`Value name ${n}`} htmlFor={nameId} error={nameError}>
                    <Input id={nameId} autoComplete="off" spellCheck={false} placeholder="remoteId" list={`${idPrefix}-answer-names`} aria-invalid={!!nameError} aria-describedby={describedBy(nameId, nameError)} {...register(`responseParsers.${i}.name`)} />
                  </RowField>
                </td>
                <td className="w-40 pr-2 pb-2">
                  <RowField label={`Value path type ${n}`} htmlFor={kindId}>
                    <Select id={kindId} {...register(`responseParsers.${i}.kind`)}>
                      {PARSER_KINDS.map((k) => (
                        <option key={k.value} value={k.value}>
                          {k.label}
                        </option>
                      ))}
                    </Select>
                  </RowField>
                </td>
                <td className="pr-2 pb-2">
                  <RowField label={`Value path ${n}`} htmlFor={pathId} error={pathError}>
                    <Input id={pathId} autoComplete="off" spellCheck={false} placeholder="data.id, //lead/@id or ID=(\w+)" aria-invalid={!!pathError} aria-describedby={describedBy(pathId, pathError)} {...register(`responseParsers.${i}.path`)} />
                  </RowField>
                </td>
                <td className="w-px pb-2">
                  <RemoveRowButton label={`Remove value ${n}`} onClick={() => remove(i)} />
                </td>
              </tr>
            );
          })}
        </RowsTable>
      )}
      <ListError message={messageAt(errors, "responseParsers")} />
      <AddRowButton label="Add value" disabled={fields.length >= MAX_PARSERS} onClick={() => append({ name: "", kind: "json", path: "" })} />
    </RuleFormSection>
  );
}
