"use client";

import { describedBy, Input } from "@/components/ui/field";
import { fieldId } from "@/components/ui/form-fields";
import { useRuleForm } from "./fields";

// A "join fields" mapping's value: the field paths to join, separated by commas, and what goes
// between the parts (a space unless set). Empty parts are left out when the lead is rendered.

export function JoinInputs({ index: i, idPrefix, valueId, valueError }: { index: number; idPrefix: string; valueId: string; valueError?: string }) {
  const { register } = useRuleForm();
  const n = i + 1;
  const separatorId = fieldId(idPrefix, `fieldMappings.${i}.separator`);
  return (
    <div className="flex gap-2">
      <Input id={valueId} autoComplete="off" spellCheck={false} placeholder="lead.firstName, lead.lastName" aria-invalid={!!valueError} aria-describedby={describedBy(valueId, valueError)} {...register(`fieldMappings.${i}.value`)} />
      <label htmlFor={separatorId} className="sr-only">
        Separator {n}
      </label>
      <Input id={separatorId} className="w-20" autoComplete="off" spellCheck={false} placeholder="space" title="Separator (blank: a space)" {...register(`fieldMappings.${i}.separator`)} />
    </div>
  );
}
