import { cn } from "@/components/ui/cn";

// The values a rule's response parser extracted from the endpoint's answer (e.g. the receiver's
// own lead id), as a definition list: on the delivery page in full, on a lead's webhook row
// compact. Receivers' values are untrusted text: React renders them as text.

export function ResponseValues({ values, label, compact = false, className }: { values: Record<string, string>; label: string; compact?: boolean; className?: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  if (compact) {
    return (
      <dl aria-label={label} className={cn("flex flex-wrap gap-x-3 gap-y-0.5 text-xs", className)}>
        {entries.map(([name, value]) => (
          <div key={name} className="flex min-w-0 gap-1">
            <dt className="font-mono text-slate-500">{name}:</dt>
            {/* break-words, not break-all: in a table cell break-all lets the column shrink to one character. */}
            <dd className="min-w-0 break-words font-mono text-slate-900">{value}</dd>
          </div>
        ))}
      </dl>
    );
  }
  return (
    <dl aria-label={label} className={cn("grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]", className)}>
      {entries.map(([name, value]) => (
        <div key={name} className="contents">
          <dt className="font-mono text-xs leading-5 text-slate-500">{name}</dt>
          <dd className="min-w-0 break-all font-mono text-xs leading-5 text-slate-900">{value === "" ? <span className="text-slate-500">(empty)</span> : value}</dd>
        </div>
      ))}
    </dl>
  );
}
