import { formatUtc } from "@/lib/core/format";

/**
 * A time in UTC as the delivery screens show it ("30 Nov 2026, 14:05:09 UTC"). The date and the
 * time each stay on one line, so a narrow column puts the time under the date instead of breaking
 * anywhere or widening the table.
 */
export function UtcTime({ value, className }: { value: Date | string; className?: string }) {
  const date = new Date(value);
  const text = formatUtc(date);
  const comma = text.indexOf(", ");
  return (
    <time dateTime={date.toISOString()} className={className}>
      {comma < 0 ? (
        text
      ) : (
        <>
          <span className="whitespace-nowrap">{text.slice(0, comma + 1)}</span> <span className="whitespace-nowrap">{text.slice(comma + 2)}</span>
        </>
      )}
    </time>
  );
}
