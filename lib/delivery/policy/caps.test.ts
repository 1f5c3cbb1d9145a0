import { describe, expect, it } from "vitest";
import { NO_LIMITS } from "@/lib/domain/rule/limits";
import { capPeriod, capTimeZone, capUse, rateWindow } from "./caps";

const NY = "America/New_York";
const at = (iso: string) => new Date(iso);
const iso = (p: { start: Date; end: Date }) => [p.start.toISOString(), p.end.toISOString()];

describe("cap periods", () => {
  it("counts hours, days, weeks from Monday and months in UTC", () => {
    const t = at("2026-11-26T13:45:10.500Z"); // a Thursday
    expect(iso(capPeriod("hour", t, "UTC"))).toEqual(["2026-11-26T13:00:00.000Z", "2026-11-26T14:00:00.000Z"]);
    expect(iso(capPeriod("day", t, "UTC"))).toEqual(["2026-11-26T00:00:00.000Z", "2026-11-27T00:00:00.000Z"]);
    expect(iso(capPeriod("week", t, "UTC"))).toEqual(["2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"]);
    expect(iso(capPeriod("month", t, "UTC"))).toEqual(["2026-11-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]);
  });

  it("counts days in the rule's time zone: late evening in New York is still that day", () => {
    // 02:30 UTC on Friday 27 November is 21:30 on Thursday in New York (EST, UTC-5).
    const t = at("2026-11-27T02:30:00Z");
    expect(iso(capPeriod("day", t, NY))).toEqual(["2026-11-26T05:00:00.000Z", "2026-11-27T05:00:00.000Z"]);
    expect(iso(capPeriod("month", at("2026-12-01T03:00:00Z"), NY))).toEqual(["2026-11-01T04:00:00.000Z", "2026-12-01T05:00:00.000Z"]);
  });

  it("a Sunday belongs to the week that started on Monday, also across the new year", () => {
    expect(iso(capPeriod("week", at("2026-11-29T23:59:59Z"), "UTC"))).toEqual(["2026-11-23T00:00:00.000Z", "2026-11-30T00:00:00.000Z"]);
    expect(iso(capPeriod("week", at("2027-01-01T12:00:00Z"), "UTC"))).toEqual(["2026-12-28T00:00:00.000Z", "2027-01-04T00:00:00.000Z"]);
    expect(iso(capPeriod("month", at("2026-12-31T23:59:59.999Z"), "UTC"))).toEqual(["2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"]);
  });

  it("a day is 23 hours on the spring change and 25 on the autumn one", () => {
    // New York: clocks go forward on Sunday 8 March 2026 and back on Sunday 1 November 2026.
    const spring = capPeriod("day", at("2026-03-08T12:00:00Z"), NY);
    expect(iso(spring)).toEqual(["2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"]);
    const autumn = capPeriod("day", at("2026-11-01T12:00:00Z"), NY);
    expect(iso(autumn)).toEqual(["2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"]);
    expect(autumn.end.getTime() - autumn.start.getTime()).toBe(25 * 3_600_000);
  });

  it("the repeated hour of the autumn change is two hours of its own, not merged", () => {
    // 01:30 EDT (05:30Z) and 01:30 EST (06:30Z) read the same on the wall.
    expect(iso(capPeriod("hour", at("2026-11-01T05:30:00Z"), NY))).toEqual(["2026-11-01T05:00:00.000Z", "2026-11-01T06:00:00.000Z"]);
    expect(iso(capPeriod("hour", at("2026-11-01T06:30:00Z"), NY))).toEqual(["2026-11-01T06:00:00.000Z", "2026-11-01T07:00:00.000Z"]);
  });

  it("counts local hours in a zone with a half-hour offset", () => {
    // India is UTC+5:30: 10:15 UTC is 15:45 local, so the hour began at 15:00 local (09:30 UTC).
    expect(iso(capPeriod("hour", at("2026-11-26T10:15:00Z"), "Asia/Kolkata"))).toEqual(["2026-11-26T09:30:00.000Z", "2026-11-26T10:30:00.000Z"]);
  });

  it("counts in the sending window's time zone, else UTC", () => {
    expect(capTimeZone({ enabled: true, days: [1], start: "09:00", end: "17:00", timezone: NY, outside: "wait", alternateUrl: "" })).toBe(NY);
    expect(capTimeZone(null)).toBe("UTC");
  });

  it("counts in the caps' own time zone when they have one, before the sending window's", () => {
    const window = { enabled: true, days: [1], start: "09:00", end: "17:00", timezone: NY, outside: "wait", alternateUrl: "" };
    expect(capTimeZone(window, "Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(capTimeZone(null, "Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(capTimeZone(window, undefined)).toBe(NY);
  });

  it("starts the day, week and month at midnight in the caps' own zone", () => {
    // Tokyo is UTC+9 all year: its Tuesday 1 December 2026 begins at 15:00 UTC on Monday 30 November.
    const zone = capTimeZone(null, "Asia/Tokyo");
    const before = at("2026-11-30T14:59:59.999Z");
    const after = at("2026-11-30T15:00:00.000Z");
    expect(iso(capPeriod("day", before, zone))).toEqual(["2026-11-29T15:00:00.000Z", "2026-11-30T15:00:00.000Z"]);
    expect(iso(capPeriod("day", after, zone))).toEqual(["2026-11-30T15:00:00.000Z", "2026-12-01T15:00:00.000Z"]);
    expect(iso(capPeriod("month", before, zone))).toEqual(["2026-10-31T15:00:00.000Z", "2026-11-30T15:00:00.000Z"]);
    expect(iso(capPeriod("month", after, zone))).toEqual(["2026-11-30T15:00:00.000Z", "2026-12-31T15:00:00.000Z"]);
    // Monday 30 November, 23:59 in Tokyo: the week began on that Monday's midnight there.
    expect(iso(capPeriod("week", before, zone))).toEqual(["2026-11-29T15:00:00.000Z", "2026-12-06T15:00:00.000Z"]);
    // The same instant counted in UTC is still the day of 30 November.
    expect(iso(capPeriod("day", after, capTimeZone(null)))).toEqual(["2026-11-30T00:00:00.000Z", "2026-12-01T00:00:00.000Z"]);
  });

  it("shows the use of each cap that is set; a count from an earlier period reads as 0", () => {
    const limits = { ...NO_LIMITS, caps: { hour: 10, day: 500, week: null, month: 9000 } };
    const now = at("2026-11-26T13:20:00Z");
    const usage = { hourStart: at("2026-11-26T12:00:00Z"), hourUsed: 10, dayStart: at("2026-11-26T00:00:00Z"), dayUsed: 412, monthStart: at("2026-11-01T00:00:00Z"), monthUsed: 3000 };
    expect(capUse(limits, usage, now, "UTC")).toEqual([
      { period: "hour", limit: 10, used: 0, resetsAt: at("2026-11-26T14:00:00Z") },
      { period: "day", limit: 500, used: 412, resetsAt: at("2026-11-27T00:00:00Z") },
      { period: "month", limit: 9000, used: 3000, resetsAt: at("2026-12-01T00:00:00Z") },
    ]);
    expect(capUse(limits, null, now, "UTC").map((c) => c.used)).toEqual([0, 0, 0]);
  });
});

describe("rate windows", () => {
  it("are fixed seconds and minutes", () => {
    expect(iso(rateWindow("second", at("2026-11-26T13:45:10.987Z")))).toEqual(["2026-11-26T13:45:10.000Z", "2026-11-26T13:45:11.000Z"]);
    expect(iso(rateWindow("minute", at("2026-11-26T13:45:10.987Z")))).toEqual(["2026-11-26T13:45:00.000Z", "2026-11-26T13:46:00.000Z"]);
  });
});
