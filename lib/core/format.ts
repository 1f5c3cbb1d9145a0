// Times in the delivery screens are shown in UTC, like the filters read them: the server renders
// them, and a fixed zone keeps server and browser output identical (no hydration mismatch).
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" });

export function formatUtc(date: Date | string): string {
  return `${dateTime.format(new Date(date))} UTC`;
}

/** "1.2 s" / "340 ms". */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`;
}
