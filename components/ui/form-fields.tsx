"use client";

import { useFormContext, type FieldValues, type Path, type RegisterOptions } from "react-hook-form";
import { describedBy, Field, Input, Select } from "./field";
import { messageAt } from "./form-errors";

// The form kit's bound fields: a labelled control registered with the surrounding
// react-hook-form (FormProvider) at a dotted path, showing that path's error and hint. A form
// fixes the value type once, e.g. `const RuleTextField = TextField<RuleInput>`, so names are checked.

/** The DOM id of a field: the form's prefix and the path, dots as dashes. */
export function fieldId(idPrefix: string, path: string): string {
  return `${idPrefix}-${path.replace(/\./g, "-")}`;
}

/** The error message at a path of the surrounding form. */
export function useFieldError(path: string): string | undefined {
  return messageAt(useFormContext().formState.errors, path);
}

interface BoundFieldProps<F extends FieldValues> {
  name: Path<F>;
  label: string;
  /** Prefix of the control's id (see fieldId). */
  idPrefix: string;
  hint?: React.ReactNode;
  className?: string;
}

export type TextFieldProps<F extends FieldValues = FieldValues> = BoundFieldProps<F> & Omit<React.InputHTMLAttributes<HTMLInputElement>, "name" | "id">;

/** A labelled text input (autocomplete off unless given). */
export function TextField<F extends FieldValues = FieldValues>({ name, label, idPrefix, hint, className, ...input }: TextFieldProps<F>) {
  const { register } = useFormContext<F>();
  const id = fieldId(idPrefix, name);
  const error = useFieldError(name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error} className={className}>
      <Input id={id} autoComplete="off" aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...input} {...register(name)} />
    </Field>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export type SelectFieldProps<F extends FieldValues = FieldValues> = BoundFieldProps<F> & {
  options: readonly SelectOption[];
  /** Passed to register: setValueAs, onChange. */
  registerOptions?: RegisterOptions<F, Path<F>>;
};

/** A labelled select over { value, label } options. */
export function SelectField<F extends FieldValues = FieldValues>({ name, label, idPrefix, options, hint, className, registerOptions }: SelectFieldProps<F>) {
  const { register } = useFormContext<F>();
  const id = fieldId(idPrefix, name);
  const error = useFieldError(name);
  return (
    <Field label={label} htmlFor={id} hint={hint} error={error} className={className}>
      <Select id={id} aria-invalid={!!error} aria-describedby={describedBy(id, error, !!hint)} {...register(name, registerOptions)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** The form's own error (one not tied to a field), above its footer. */
export function FormError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="mx-5 mb-4 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
      {message}
    </p>
  );
}
