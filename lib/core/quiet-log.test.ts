import { describe, expect, it } from "vitest";
import { quietLog } from "./quiet-log";

/** A clock and timers the test moves by hand. */
function clock() {
  let t = 0;
  const timers: { at: number; fn: () => void }[] = [];
  return {
    now: () => t,
    later: (fn: () => void, ms: number) => void timers.push({ at: t + ms, fn }),
    advance(ms: number) {
      const until = t + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        t = next.at;
        next.fn();
      }
      t = until;
    },
  };
}

describe("quietLog", () => {
  it("writes a repeated line once per interval, saying how often it came meanwhile", () => {
    const written: string[] = [];
    const c = clock();
    const log = quietLog((l) => written.push(l), 30_000, c.now, c.later);
    for (let i = 0; i < 240; i++) {
      log("dispatcher: Query read timeout");
      c.advance(250);
    }
    log("dispatcher: another failure");
    // A minute of a failure every 250 ms: the line, then its count every 30 s.
    expect(written).toEqual([
      "dispatcher: Query read timeout",
      "dispatcher: Query read timeout (119 more times since it was last written)",
      "dispatcher: Query read timeout (120 more times since it was last written)",
      "dispatcher: another failure",
    ]);
    c.advance(30_000);
    expect(written).toHaveLength(4);
  });

  it("writes the count of the last repeats when the interval ends, though the line does not come again (the outage ended)", () => {
    const written: string[] = [];
    const c = clock();
    const log = quietLog((l) => written.push(l), 30_000, c.now, c.later);
    log("dispatcher: connection refused");
    c.advance(1000);
    log("dispatcher: connection refused");
    log("dispatcher: connection refused");
    c.advance(28_999);
    expect(written).toEqual(["dispatcher: connection refused"]);
    c.advance(1);
    expect(written).toEqual(["dispatcher: connection refused", "dispatcher: connection refused (2 more times since it was last written)"]);
    c.advance(120_000);
    expect(written).toHaveLength(2); // nothing held: nothing more
    log("dispatcher: connection refused"); // a new outage: written at once
    expect(written.at(-1)).toBe("dispatcher: connection refused");
  });

  it("writes different lines each the first time", () => {
    const written: string[] = [];
    const c = clock();
    const log = quietLog((l) => written.push(l), 30_000, c.now, c.later);
    for (let i = 0; i < 150; i++) log(`line ${i}`);
    log("line 0"); // forgotten among the 100 most recent: written again
    log("line 149"); // remembered: held
    expect(written).toHaveLength(151);
  });
});
