import { forwardRef } from "react";
import { cn } from "./cn";

type ChoiceProps = Omit<React.InputHTMLAttributes<HTMLInputElement>, "type" | "id"> & {
  /** Required: the label is a real <label htmlFor> tied to the box. */
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
};

function choice(type: "checkbox" | "radio") {
  return forwardRef<HTMLInputElement, ChoiceProps>(function Choice({ id, label, hint, className, ...props }, ref) {
    return (
      <div className={cn("flex items-start gap-2", className)}>
        <input
          ref={ref}
          id={id}
          type={type}
          aria-describedby={hint ? `${id}-hint` : undefined}
          className={cn("mt-0.5 h-4 w-4 shrink-0 border-slate-300 accent-brand-600 focus-visible:outline-2 focus-visible:outline-brand-500 disabled:opacity-60", type === "checkbox" ? "rounded" : "rounded-full")}
          {...props}
        />
        <div className="text-sm leading-5">
          <label htmlFor={id} className="font-medium text-slate-700">
            {label}
          </label>
          {hint && (
            <p id={`${id}-hint`} className="text-xs text-slate-500">
              {hint}
            </p>
          )}
        </div>
      </div>
    );
  });
}

/** A checkbox with its label beside it; register() it like any input (the value is a boolean). */
export const Checkbox = choice("checkbox");

/** One option of a radio group; wrap the group in a <fieldset> with a <legend>. */
export const Radio = choice("radio");
