import { describe, expect, it } from "vitest";
import type { TimeWindow } from "@/lib/domain/rule/request";
import { nextWindowOpen, windowDecision, windowOpen } from "./time-window";

const NY = "America/New_York";
const win = (w: Partial<TimeWindow>): TimeWindow => ({
  enabled: true, days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timezone: NY, outside: "wait", alternateUrl: "", ...w,
});
const at = (iso: string) => new Date(iso);

describe("sending window", () => {
  const weekdays = win({});

  it("a disabled window is always open", () => {
    expect(windowOpen(win({ enabled: false, days: [] }), at("2026-03-08T03:00:00Z"))).toBe(true);
  });

  it("opens at 09:00 New York time on both sides of the March DST change", () => {
    // Friday 6 March 2026 is EST (UTC-5); Monday 9 March is EDT (UTC-4), the clocks went forward on Sunday 8 March.
    expect(windowOpen(weekdays, at("2026-03-06T13:59:00Z"))).toBe(false);
    expect(windowOpen(weekdays, at("2026-03-06T14:00:00Z"))).toBe(true);
    expect(windowOpen(weekdays, at("2026-03-06T21:59:59Z"))).toBe(true);
    expect(windowOpen(weekdays, at("2026-03-06T22:00:00Z"))).toBe(false);
    expect(windowOpen(weekdays, at("2026-03-09T12:59:00Z"))).toBe(false);
    expect(windowOpen(weekdays, at("2026-03-09T13:00:00Z"))).toBe(true);
    expect(windowOpen(weekdays, at("2026-03-09T20:59:00Z"))).toBe(true);
    expect(windowOpen(weekdays, at("2026-03-09T21:00:00Z"))).toBe(false);
    // Saturday at noon local.
    expect(windowOpen(weekdays, at("2026-03-07T17:00:00Z"))).toBe(false);
  });

  it("on a Friday evening, Mon–Fri 09:00–17:00 next opens on Monday 09:00 local (after the clocks change)", () => {
    expect(nextWindowOpen(weekdays, at("2026-03-06T23:30:00Z")).toISOString()).toBe("2026-03-09T13:00:00.000Z");
    // The week before, with no change in between: still 09:00 local, now UTC-5.
    expect(nextWindowOpen(weekdays, at("2026-02-27T23:30:00Z")).toISOString()).toBe("2026-03-02T14:00:00.000Z");
  });

  it("next open: the same day when before the start, now when open", () => {
    expect(nextWindowOpen(weekdays, at("2026-03-10T11:00:00Z")).toISOString()).toBe("2026-03-10T13:00:00.000Z");
    const now = at("2026-03-10T15:00:00Z");
    expect(nextWindowOpen(weekdays, now)).toBe(now);
  });

  it("overnight windows run past midnight, on the days they start", () => {
    const nights = win({ days: [5], start: "22:00", end: "06:00" }); // Friday night only
    expect(windowOpen(nights, at("2026-03-07T02:59:00Z"))).toBe(false); // Fri 21:59 EST
    expect(windowOpen(nights, at("2026-03-07T03:00:00Z"))).toBe(true); // Fri 22:00
    expect(windowOpen(nights, at("2026-03-07T10:59:00Z"))).toBe(true); // Sat 05:59
    expect(windowOpen(nights, at("2026-03-07T11:00:00Z"))).toBe(false); // Sat 06:00
    expect(windowOpen(nights, at("2026-03-06T04:00:00Z"))).toBe(false); // Thu 23:00: not a start day
    expect(windowOpen(nights, at("2026-03-06T10:00:00Z"))).toBe(false); // Fri 05:00: Thursday's night
    expect(nextWindowOpen(nights, at("2026-03-07T11:00:00Z")).toISOString()).toBe("2026-03-14T02:00:00.000Z"); // next Fri 22:00 EDT
  });

  it("a start time the spring change skips opens when the clocks jump past it", () => {
    const sunday = win({ days: [0], start: "02:30", end: "04:00" });
    // 02:30 does not exist on 8 March 2026 in New York: 01:59 EST is followed by 03:00 EDT (07:00Z).
    expect(nextWindowOpen(sunday, at("2026-03-08T05:00:00Z")).toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(windowOpen(sunday, at("2026-03-08T06:59:00Z"))).toBe(false);
    expect(windowOpen(sunday, at("2026-03-08T07:00:00Z"))).toBe(true);
  });

  it("a start time the autumn change repeats opens the first time", () => {
    const sunday = win({ days: [0], start: "01:30", end: "03:00" });
    // 1 November 2026: 01:30 EDT (05:30Z) comes first, 01:30 EST (06:30Z) an hour later.
    expect(nextWindowOpen(sunday, at("2026-11-01T00:00:00Z")).toISOString()).toBe("2026-11-01T05:30:00.000Z");
  });

  it("works in zones east of UTC and with half-hour offsets", () => {
    const kolkata = win({ timezone: "Asia/Kolkata" }); // UTC+5:30
    expect(windowOpen(kolkata, at("2026-03-09T03:29:00Z"))).toBe(false);
    expect(windowOpen(kolkata, at("2026-03-09T03:30:00Z"))).toBe(true);
    expect(nextWindowOpen(kolkata, at("2026-03-07T00:00:00Z")).toISOString()).toBe("2026-03-09T03:30:00.000Z");
  });
});

describe("windowDecision", () => {
  // Saturday 7 March 2026, noon in New York: outside a weekday window.
  const saturday = at("2026-03-07T17:00:00Z");
  const monday9 = at("2026-03-09T13:00:00Z");

  it("sends when there is no window, it is switched off, or it is open", () => {
    expect(windowDecision(null, saturday)).toEqual({ kind: "send" });
    expect(windowDecision(win({ enabled: false }), saturday)).toEqual({ kind: "send" });
    expect(windowDecision(win({}), monday9)).toEqual({ kind: "send" });
  });

  it("outside a waiting window, waits until it next opens", () => {
    expect(windowDecision(win({}), saturday)).toEqual({ kind: "wait", until: monday9 });
  });

  it("outside a window with an alternate URL, sends there; without one, waits", () => {
    expect(windowDecision(win({ outside: "alternate", alternateUrl: "https://night.example.com" }), saturday)).toEqual({ kind: "alternate", url: "https://night.example.com" });
    expect(windowDecision(win({ outside: "alternate", alternateUrl: "" }), saturday)).toEqual({ kind: "wait", until: monday9 });
  });
});
