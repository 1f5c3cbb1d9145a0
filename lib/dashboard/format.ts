// How the dashboard writes its numbers and bucket labels. Pure and time-zone fixed (UTC, like the
// delivery screens), so the server-rendered table and the client-rendered chart say the same.

const hourLabel = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
const dayLabel = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const longHour = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC" });
const longDay = new Intl.DateTimeFormat("en-GB", { weekday: "short", day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });

/** A short axis label: "14:00" for an hour, "12 Jan" for a day. */
export function bucketLabel(start: string | Date, unit: "hour" | "day"): string {
  return (unit === "hour" ? hourLabel : dayLabel).format(new Date(start));
}

/** An unambiguous label for tables and tooltips: "12 Jan, 14:00 UTC" / "Mon, 12 Jan 2026". */
export function bucketTitle(start: string | Date, unit: "hour" | "day"): string {
  return unit === "hour" ? `${longHour.format(new Date(start))} UTC` : longDay.format(new Date(start));
}

/**
 * A success rate as a percentage with at most one decimal, rounded down so that a rate with any
 * failure never reads "100%" and one with any success never reads "0%". "—" when there is none.
 */
export function formatRate(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "—";
  if (rate >= 1) return "100%";
  if (rate <= 0) return "0%";
  const tenths = Math.floor(rate * 1000);
  if (tenths === 0) return "<0.1%";
  return `${tenths % 10 === 0 ? tenths / 10 : (tenths / 10).toFixed(1)}%`;
}

/** A response time: "340 ms", "1.2 s"; percentiles are interpolated, so whole milliseconds are shown. "—" when none. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  const whole = Math.round(ms);
  return whole >= 1000 ? `${(whole / 1000).toFixed(1)} s` : `${whole} ms`;
}

/** "1 delivery", "3 deliveries". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
