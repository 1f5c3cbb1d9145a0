"use client";

import { ChevronDown, ChevronRight } from "lucide-react";
import { useState } from "react";
import type { FieldErrors } from "react-hook-form";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { describedBy, Field, Input, Select } from "@/components/ui/field";
import type { RuleInput } from "@/lib/rules/form/rule";
import { fieldId } from "@/components/ui/form-fields";
import { messageAt } from "@/components/ui/form-errors";
import { useRuleForm } from "./fields";
import { ValueMapEditor } from "./value-map";

// A field mapping's transforms (default, trim, value map, digits only, phone format, case, date
// format), kept out of the way behind a per-row disclosure. The inputs stay mounted while closed,
// so nothing is lost.

const TRANSFORM_FIELDS = ["defaultValue", "trim", "valueMap", "valueMapDefault", "digitsOnly", "phoneFormat", "phoneCountryCode", "case", "dateFormat"] as const;

type MappingRow = Partial<NonNullable<RuleInput["fieldMappings"]>[number]> | undefined;

function activeCount(row: MappingRow): number {
  if (!row) return 0;
  const chosen = (v: string | undefined) => !!v && v !== "none";
  return [!!row.defaultValue, !!row.trim, !!row.valueMap?.length, !!row.digitsOnly, chosen(row.phoneFormat), chosen(row.case), !!row.dateFormat].filter(Boolean).length;
}

/** Which rows' transforms are open; a row whose transforms have an error is always open. */
export function useTransformsOpen(errors: FieldErrors<RuleInput>) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const hasError = (i: number) => TRANSFORM_FIELDS.some((f) => messageAt(errors, `fieldMappings.${i}.${f}`));
  return {
    isOpen: (rowId: string, i: number) => open.has(rowId) || hasError(i),
    toggle: (rowId: string, i: number) =>
      setOpen((prev) => {
        const next = new Set(prev);
        if (next.has(rowId) || hasError(i)) next.delete(rowId);
        else next.add(rowId);
        return next;
      }),
  };
}

export function TransformsToggle({ n, row, open, controls, onToggle }: { n: number; row: MappingRow; open: boolean; controls: string; onToggle: () => void }) {
  const count = activeCount(row);
  const Icon = open ? ChevronDown : ChevronRight;
  return (
    <Button variant="ghost" size="sm" aria-expanded={open} aria-controls={controls} onClick={onToggle} className="mt-0.5">
      <Icon aria-hidden className="h-3.5 w-3.5" />
      Transforms<span className="sr-only"> {n}</span>
      {count > 0 && <span className="rounded bg-brand-50 px-1 text-brand-700">{count}</span>}
    </Button>
  );
}

export function TransformsPanel({ index: i, idPrefix }: { index: number; idPrefix: string }) {
  const { register, formState } = useRuleForm();
  const n = i + 1;
  const path = (f: (typeof TRANSFORM_FIELDS)[number]) => `fieldMappings.${i}.${f}` as const;
  const id = (f: (typeof TRANSFORM_FIELDS)[number]) => fieldId(idPrefix, path(f));
  const defaultError = messageAt(formState.errors, path("defaultValue"));
  const dateError = messageAt(formState.errors, path("dateFormat"));
  const dateHint = "Tokens YYYY MM DD HH mm ss (UTC), e.g. MM/DD/YYYY. Blank: as is.";
  const countryError = messageAt(formState.errors, path("phoneCountryCode"));

  return (
    <div className="grid gap-4 rounded-md bg-slate-50 p-3 sm:grid-cols-2 lg:grid-cols-4">
      <Field label={`Default value ${n}`} htmlFor={id("defaultValue")} hint="Used when the value is empty." error={defaultError}>
        <Input id={id("defaultValue")} autoComplete="off" aria-invalid={!!defaultError} aria-describedby={describedBy(id("defaultValue"), defaultError, true)} {...register(path("defaultValue"))} />
      </Field>
      <Field label={`Case ${n}`} htmlFor={id("case")}>
        <Select id={id("case")} {...register(path("case"))}>
          <option value="none">Unchanged</option>
          <option value="upper">UPPER CASE</option>
          <option value="lower">lower case</option>
        </Select>
      </Field>
      <Field label={`Date format ${n}`} htmlFor={id("dateFormat")} hint={dateHint} error={dateError}>
        <Input id={id("dateFormat")} autoComplete="off" spellCheck={false} placeholder="YYYY-MM-DD" aria-invalid={!!dateError} aria-describedby={describedBy(id("dateFormat"), dateError, true)} {...register(path("dateFormat"))} />
      </Field>
      <div className="space-y-2 pt-6">
        <Checkbox id={id("trim")} label={<>Trim spaces<span className="sr-only"> {n}</span></>} {...register(path("trim"))} />
        <Checkbox id={id("digitsOnly")} label={<>Digits only<span className="sr-only"> {n}</span></>} {...register(path("digitsOnly"))} />
      </div>
      <Field label={`Phone format ${n}`} htmlFor={id("phoneFormat")} hint="A number that cannot be read is sent unchanged.">
        <Select id={id("phoneFormat")} {...register(path("phoneFormat"))}>
          <option value="none">Unchanged</option>
          <option value="e164">E.164 (+15551234567)</option>
          <option value="national">National ((555) 123-4567)</option>
        </Select>
      </Field>
      <Field label={`Country calling code ${n}`} htmlFor={id("phoneCountryCode")} hint="For numbers written without one. Blank: +1." error={countryError}>
        <Input id={id("phoneCountryCode")} autoComplete="off" placeholder="+1" aria-invalid={!!countryError} aria-describedby={describedBy(id("phoneCountryCode"), countryError, true)} {...register(path("phoneCountryCode"))} />
      </Field>
      <ValueMapEditor index={i} idPrefix={idPrefix} />
    </div>
  );
}
