"use client";

import { useFormContext, type FieldError, type FieldErrors, type FieldPath } from "react-hook-form";
import { SelectField as KitSelectField, TextField as KitTextField, type TextFieldProps } from "@/components/ui/form-fields";
import type { ReferenceOption } from "@/lib/reference/queries";
import { RULE_FIELDS, type RuleInput, type RuleField, type RuleValues } from "@/lib/rules/form/rule";

// Small pieces shared by the rule form's tabs.

export type RuleFormContext = ReturnType<typeof useFormContext<RuleInput, unknown, RuleValues>>;

export function useRuleForm(): RuleFormContext {
  return useFormContext<RuleInput, unknown, RuleValues>();
}

/** The first message for a field, also when the error sits on an array item (caseTypeIds.0). */
export function errorMessage(errors: FieldErrors<RuleInput>, name: RuleField): string | undefined {
  const error = errors[name] as (FieldError & Record<number, FieldError | undefined>) | undefined;
  if (!error) return undefined;
  if (error.message) return error.message;
  for (const item of Object.values(error)) {
    if (item && typeof item === "object" && "message" in item && typeof item.message === "string") return item.message;
  }
  return undefined;
}

/** Any field of the form by its dotted path: "auth.username", "fieldMappings.2.target". */
export type RulePath = FieldPath<RuleInput>;

/**
 * The dotted path of the first field with an error, in the order the form shows them, so the
 * form can open its tab and focus it ("fieldMappings.2.target", or "headers" for the list).
 */
export function firstErrorPath(errorOf: (field: RuleField) => unknown): string | undefined {
  for (const field of RULE_FIELDS) {
    const path = leafPath(errorOf(field), field);
    if (path) return path;
  }
  return undefined;
}

function leafPath(node: unknown, path: string): string | undefined {
  if (!node || typeof node !== "object") return undefined;
  if ("type" in node && "message" in node) return path;
  for (const [key, child] of Object.entries(node)) {
    if (key === "ref" || key === "types") continue;
    if (key === "root") return path;
    const found = leafPath(child, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/** A labelled text input at any path, with its error and hint; no spell check (names, paths, URLs). */
export function TextField(props: TextFieldProps<RuleInput>) {
  return <KitTextField<RuleInput> spellCheck={false} {...props} />;
}

/** A labelled select at any path over fixed { value, label } options. */
export const SelectField = KitSelectField<RuleInput>;

const YES_NO = [
  { value: "true", label: "Yes" },
  { value: "false", label: "No" },
];

/** "Yes"/"No" select holding a boolean (the values travel as strings in the DOM). */
export function YesNoSelect({ name, label, hint, idPrefix }: { name: "enabled" | "requiresCaseTrackerCode" | "retryOn4xx"; label: string; hint?: string; idPrefix: string }) {
  return <SelectField name={name} label={label} hint={hint} idPrefix={idPrefix} options={YES_NO} registerOptions={{ setValueAs: (v: unknown) => v === true || v === "true" }} />;
}

/** A reference list select whose empty option reads "Any". */
export function ReferenceSelect({
  name,
  label,
  options,
  idPrefix,
  hint,
  onChange,
}: {
  name: "statusId" | "substatusId" | "officeId" | "opportunitySourceId" | "marketingSourceId";
  label: string;
  options: ReferenceOption[];
  idPrefix: string;
  hint?: string;
  onChange?: () => void;
}) {
  const choices = [{ value: "", label: "Any" }, ...options.map((o) => ({ value: o.id, label: o.name }))];
  return <SelectField name={name} label={label} hint={hint} idPrefix={idPrefix} options={choices} registerOptions={{ onChange }} />;
}
