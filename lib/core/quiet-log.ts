/** Runs `fn` after `ms` without holding the process open. */
const unrefTimeout = (fn: () => void, ms: number): void => {
  setTimeout(fn, ms).unref();
};

const withCount = (line: string, held: number) => `${line} (${held} more time${held === 1 ? "" : "s"} since it was last written)`;

/**
 * A log for errors that repeat while something stays broken (the database is down, and every
 * tick and wake-up fails the same way): a line is written the first time, then the same line at
 * most once every `everyMs`, saying how many times it came meanwhile. An outage of a minute
 * wrote hundreds of identical lines before, burying the first one and the recovery. The count of
 * the last repeats is written `everyMs` after the line was last written, whether or not it comes
 * again (it was lost when the outage ended before then).
 */
export function quietLog(
  write: (line: string) => void = (line) => console.error(line),
  everyMs = 30_000,
  now: () => number = Date.now,
  later: (fn: () => void, ms: number) => void = unrefTimeout,
): (line: string) => void {
  const seen = new Map<string, { at: number; held: number; due: boolean }>();
  const flush = (line: string) => {
    const entry = seen.get(line);
    if (!entry?.due) return; // forgotten meanwhile, or already written again
    entry.due = false;
    if (!entry.held) return;
    write(withCount(line, entry.held));
    entry.at = now();
    entry.held = 0;
  };
  return (line) => {
    const t = now();
    const last = seen.get(line);
    if (last && t - last.at < everyMs) {
      last.held++;
      if (!last.due) {
        last.due = true;
        later(() => flush(line), last.at + everyMs - t);
      }
      return;
    }
    write(last?.held ? withCount(line, last.held) : line);
    seen.delete(line);
    seen.set(line, { at: t, held: 0, due: false });
    // Only the most recent lines are remembered (messages can carry ids).
    if (seen.size > 100) seen.delete(seen.keys().next().value!);
  };
}
