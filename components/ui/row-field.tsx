import { cn } from "./cn";

/**
 * A control in a repeated row (a table cell): its <label> is visually hidden because the column
 * header shows it, but screen readers and tests still find "Header name 2". The error, if any, is
 * shown under the control with the id describedBy() expects.
 */
export function RowField({ label, htmlFor, error, children, className }: { label: string; htmlFor: string; error?: string; children: React.ReactNode; className?: string }) {
  return (
    <div className={cn("space-y-1", className)}>
      <label htmlFor={htmlFor} className="sr-only">
        {label}
      </label>
      {children}
      {error && (
        <p id={`${htmlFor}-error`} role="alert" className="text-xs font-medium text-red-600">
          {error}
        </p>
      )}
    </div>
  );
}
