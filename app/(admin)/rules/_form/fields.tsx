"use client";

import { get, useFormContext, type FieldError, type FieldErrors, type FieldPath } from "react-hook-form";
import { describedBy, Field, Input, Select } from "@/components/ui/field";
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

/** The DOM id of a field: the form's prefix and the path, dots as dashes. */
export function fieldId(idPrefix: string, path: string): string {
  return `${idPrefix}-${path.replace(/\./g, "-")}`;
}

/** The message at a nested path; for a list, its own message (e.g. "Use at most 30 headers"). */
export function messageAt(errors: FieldErrors<RuleInput>, path: string): string | undefined {
  const error: unknown = get(errors, path);
  if (!error || typeof error !== "object") return undefined;
  const { message, root } = error as { message?: unknown; root?: { message?: unknown } };
  if (typeof message === "string") return message;
  return typeof root?.message === "string" ? root.message : undefined;
}

export function useFieldError(path: string): string | undefined {
  return messageAt(useRuleForm().formState.errors, path);
}

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

/** A labelled text input at any path, with its error and hint. */
export function TextField({
  name,
  label,
  idPrefix,
  hint,
  className,
  ...input
}: { name: RulePath; label: string; idPrefix: string; hint?: React.ReactNode; className?: string } & Omit<React.InputHTMLAttributes<HTMLInputElement>, "name" | "id">) {
  const { register } = useRuleForm();
  const id = fieldId(idPrefix, name);
  const error = useFieldError(name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error} className={className}>
      <Input id={id} autoComplete="off" spellCheck={false} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...input} {...register(name)} />
    </Field>
  );
}

/** A labelled select at any path over fixed { value, label } options. */
export function SelectField({
  name,
  label,
  idPrefix,
  options,
  hint,
  className,
}: {
  name: RulePath;
  label: string;
  idPrefix: string;
  options: readonly { value: string; label: string }[];
  hint?: React.ReactNode;
  className?: string;
}) {
  const { register } = useRuleForm();
  const id = fieldId(idPrefix, name);
  const error = useFieldError(name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error} className={className}>
      <Select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...register(name)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** "Yes"/"No" select holding a boolean (the values travel as strings in the DOM). */
export function YesNoSelect({ name, label, hint, idPrefix }: { name: "enabled" | "requiresCaseTrackerCode" | "retryOn4xx"; label: string; hint?: string; idPrefix: string }) {
  const { register, formState } = useRuleForm();
  const id = `${idPrefix}-${name}`;
  const error = errorMessage(formState.errors, name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error}>
      <Select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...register(name, { setValueAs: (v: unknown) => v === true || v === "true" })}>
        <option value="true">Yes</option>
        <option value="false">No</option>
      </Select>
    </Field>
  );
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
  const { register, formState } = useRuleForm();
  const id = `${idPrefix}-${name}`;
  const error = errorMessage(formState.errors, name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error}>
      <Select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...register(name, { onChange })}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </Select>
    </Field>
  );
}
