// Results of a suite stopped before its runner wrote its report: scripts/reporters/*-progress.ts
// append one JSON line per finished test, and these count them (used by scripts/test.mjs).
import { readFileSync } from "node:fs";

/** Counts from a progress file (one JSON line per finished test); null when there is none. */
export function readProgress(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const counts = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line cut off when the suite was killed
    }
    if (entry.state === "passed") counts.passed++;
    else if (entry.state === "failed") {
      counts.failed++;
      counts.failures.push(entry.test);
    } else if (entry.state === "skipped" || entry.state === "pending") counts.skipped++;
  }
  return counts;
}

/** What a suite stopped at its limit still reports: the tests that finished, plus one failure for the stop. */
export function partialResult(name, progressFile, { code, timedOut }, limitMs) {
  const progress = readProgress(progressFile) ?? { passed: 0, failed: 0, skipped: 0, failures: [] };
  const why = timedOut ? `stopped after ${formatLimit(limitMs)}` : `exited ${code} without a report`;
  if (progress.failures.length) console.error(`${name}: failed before it stopped:\n  ${progress.failures.join("\n  ")}`);
  return { passed: progress.passed, failed: progress.failed + 1, skipped: progress.skipped, note: `${why}; partial results of the tests that finished` };
}


/** "15 minutes", or "25 s" for a limit under a minute. */
export function formatLimit(ms) {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} s`;
}
