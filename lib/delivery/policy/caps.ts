import { CAP_PERIODS, type CapPeriod, type DeliveryLimits, type RatePeriod } from "@/lib/domain/rule/limits";
import { storedTimeWindowSchema } from "@/lib/domain/rule/request";
import { instantOf, wallClock } from "./time-window";

// The periods a rule's caps and rate limit count in. Caps count calendar periods in their time
// zone (see capTimeZone): the hour, the day from midnight, the week from Monday midnight and the month from the
// 1st, each from the zone's rules (so a day across a daylight saving change is 23 or 25 hours
// long). The rate limit counts fixed windows of a second or a minute.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface Period {
  start: Date;
  /** When the next period starts (the cap resets). */
  end: Date;
}

/** The time zone a rule's caps count in: their own (`own`, set with the caps), else the sending window's (stored while the window is on), else UTC. */
export function capTimeZone(timeWindow: unknown, own?: string | null): string {
  return own ?? storedTimeWindowSchema.parse(timeWindow)?.timezone ?? "UTC";
}

/** The local calendar start of `kind` around a wall-clock time (as UTC ms), and of the next one. */
function wallBounds(kind: Exclude<CapPeriod, "hour">, wall: number): [number, number] {
  const day = wall - (((wall % DAY) + DAY) % DAY);
  if (kind === "day") return [day, day + DAY];
  if (kind === "week") {
    const monday = day - ((new Date(day).getUTCDay() + 6) % 7) * DAY;
    return [monday, monday + 7 * DAY];
  }
  const d = new Date(day);
  return [Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)];
}

/** The cap period of `kind` that `at` falls in, in the time zone. */
export function capPeriod(kind: CapPeriod, at: Date, timeZone: string): Period {
  const t = at.getTime();
  const wall = wallClock(t, timeZone);
  if (kind === "hour") {
    // Offsets change on whole hours (in the zones that matter), so the local hour is the
    // instant's minutes and seconds back: a repeated hour (clocks going back) is two hours.
    const start = t - (((wall % HOUR) + HOUR) % HOUR);
    return { start: new Date(start), end: new Date(start + HOUR) };
  }
  const [start, end] = wallBounds(kind, wall);
  return { start: new Date(instantOf(start, timeZone)), end: new Date(instantOf(end, timeZone)) };
}

/** The rate limit's window that `at` falls in. */
export function rateWindow(per: RatePeriod, at: Date): Period {
  const size = per === "second" ? 1000 : 60_000;
  const start = at.getTime() - (at.getTime() % size);
  return { start: new Date(start), end: new Date(start + size) };
}

/** A cap the limits set, with how much of its current period is used. */
export interface CapUse {
  period: CapPeriod;
  limit: number;
  used: number;
  resetsAt: Date;
}

/**
 * What each cap of the limits has used in its current period, from the rule's usage row (null: no
 * delivery counted yet): a count stored for an earlier period reads as 0.
 */
export function capUse(limits: DeliveryLimits, usage: Partial<Record<`${CapPeriod}Start`, Date | null> & Record<`${CapPeriod}Used`, number>> | null, at: Date, timeZone: string): CapUse[] {
  return CAP_PERIODS.flatMap((kind) => {
    const limit = limits.caps[kind];
    if (limit === null) return [];
    const { start, end } = capPeriod(kind, at, timeZone);
    const stored = usage?.[`${kind}Start`];
    const used = stored && stored.getTime() >= start.getTime() ? (usage?.[`${kind}Used`] ?? 0) : 0;
    return [{ period: kind, limit, used, resetsAt: end }];
  });
}
