import { formatUtc } from "@/lib/core/format";

/** A time in UTC, the way the delivery screens show it (identical on server and browser). */
export function DateTime({ value }: { value: Date | string }) {
  const date = new Date(value);
  return (
    <time dateTime={date.toISOString()} className="whitespace-nowrap">
      {formatUtc(date)}
    </time>
  );
}
