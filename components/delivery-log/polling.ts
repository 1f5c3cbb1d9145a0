// How long a page showing a due delivery keeps re-reading itself (a plain module, so server pages
// read these as numbers; constants exported from a "use client" module reach them as references).
export const POLL_INTERVAL_MS = 1500;
export const POLL_LIMIT_MS = 60_000;
