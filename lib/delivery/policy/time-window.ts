import type { TimeWindow } from "@/lib/domain/rule/request";

// A rule's sending window: days of the week and a time range in a time zone. Computed with Intl
// from the zone's rules, so daylight saving changes are right. A window whose start is at or after
// its end runs overnight (22:00–06:00 is open from 22:00 to 06:00 the next morning); its days are
// the days on which it starts, so Friday 22:00–06:00 is still open early on Saturday.

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time in the zone at an instant, as if it were UTC (milliseconds). */
export function wallClock(at: number, timeZone: string): number {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) + (at % 1000 + 1000) % 1000;
}

/**
 * The first instant at which the zone's clocks read `wall` (a wall-clock time as UTC ms). For a
 * time that happens twice (clocks going back) it is the first; for one that never happens (clocks
 * going forward, e.g. 02:30 on the spring change) it is the moment the clocks jump past it.
 */
export function instantOf(wall: number, timeZone: string): number {
  // The zone's offset a day either side covers any one transition near `wall`.
  const candidates = [wall - DAY, wall, wall + DAY].map((t) => wall - (wallClock(t, timeZone) - t));
  const exact = candidates.filter((t) => wallClock(t, timeZone) === wall).sort((a, b) => a - b);
  if (exact.length) return exact[0]!;
  let lo = Math.min(...candidates);
  let hi = Math.max(...candidates);
  // Transitions fall on whole minutes: search minute by minute for the jump.
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (wallClock(mid, timeZone) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Whether deliveries may be sent at `at`. A disabled window is always open. */
export function windowOpen(w: TimeWindow, at: Date): boolean {
  if (!w.enabled) return true;
  const wall = wallClock(at.getTime(), w.timezone);
  const local = new Date(wall);
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const day = local.getUTCDay();
  const start = minutesOf(w.start);
  const end = minutesOf(w.end);
  if (start < end) return w.days.includes(day) && minute >= start && minute < end;
  // Overnight (or a full 24 hours when start equals end): open from the start on one of the days
  // until the end on the next morning.
  return (w.days.includes(day) && minute >= start) || (w.days.includes((day + 6) % 7) && minute < end);
}

/**
 * When the window next opens: `at` itself when it is open now, otherwise the next start time on
 * one of its days, in its time zone.
 */
export function nextWindowOpen(w: TimeWindow, at: Date): Date {
  if (windowOpen(w, at)) return at;
  if (!w.days.length) throw new Error("The sending window has no days, so it never opens.");
  const wall = wallClock(at.getTime(), w.timezone);
  const today = wall - (wall % DAY);
  const start = minutesOf(w.start) * MINUTE;
  for (let d = 0; d <= 7; d++) {
    const dayStart = today + d * DAY;
    if (!w.days.includes(new Date(dayStart).getUTCDay())) continue;
    const opens = instantOf(dayStart + start, w.timezone);
    if (opens > at.getTime()) return new Date(opens);
  }
  // Unreachable: a window with at least one day opens within a week.
  throw new Error("The sending window never opens.");
}

/** What a rule's sending window says about sending at some instant. */
export type WindowDecision =
  /** No window, or it is open: send as rendered. */
  | { kind: "send" }
  /** Closed, with an alternate URL for the time outside it: send there instead. */
  | { kind: "alternate"; url: string }
  /** Closed: wait until it opens. */
  | { kind: "wait"; until: Date };

/**
 * The one decision about a sending window, made when the request is rendered (which URL, or due
 * when) and again when it is sent (a delivery that waits is deferred until the window opens).
 */
export function windowDecision(w: TimeWindow | null, at: Date): WindowDecision {
  if (!w?.enabled || windowOpen(w, at)) return { kind: "send" };
  if (w.outside === "alternate" && w.alternateUrl) return { kind: "alternate", url: w.alternateUrl };
  return { kind: "wait", until: nextWindowOpen(w, at) };
}
