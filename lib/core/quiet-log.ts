/**
 * A log for errors that repeat while something stays broken (the database is down, and every
 * tick and wake-up fails the same way): a line is written the first time, then the same line at
 * most once every `everyMs`, saying how many times it came meanwhile. An outage of a minute
 * wrote hundreds of identical lines before, burying the first one and the recovery.
 */
export function quietLog(write: (line: string) => void = (line) => console.error(line), everyMs = 30_000, now: () => number = Date.now): (line: string) => void {
  const seen = new Map<string, { at: number; held: number }>();
  return (line) => {
    const t = now();
    const last = seen.get(line);
    if (last && t - last.at < everyMs) {
      last.held++;
      return;
    }
    write(last?.held ? `${line} (${last.held} more time${last.held === 1 ? "" : "s"} since it was last written)` : line);
    seen.delete(line);
    seen.set(line, { at: t, held: 0 });
    // Only the most recent lines are remembered (messages can carry ids).
    if (seen.size > 100) seen.delete(seen.keys().next().value!);
  };
}
