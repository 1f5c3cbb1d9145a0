import { describe, expect, it } from "vitest";
import { coalesced, reconnectDelayMs, RECONNECT_MAX_MS } from "./wake-signal";

describe("coalesced", () => {
  it("folds the calls made before the scheduled run into that one run", () => {
    const queue: (() => void)[] = [];
    let runs = 0;
    const wake = coalesced(() => runs++, (fn) => queue.push(fn));
    wake();
    wake();
    wake();
    expect(queue).toHaveLength(1);
    expect(runs).toBe(0);
    queue.shift()!();
    expect(runs).toBe(1);
  });

  it("schedules again for a call made after the run", () => {
    const queue: (() => void)[] = [];
    let runs = 0;
    const wake = coalesced(() => runs++, (fn) => queue.push(fn));
    wake();
    queue.shift()!();
    wake();
    expect(queue).toHaveLength(1);
    queue.shift()!();
    expect(runs).toBe(2);
  });

  it("runs on the next turn of the event loop by default", async () => {
    let runs = 0;
    const wake = coalesced(() => runs++);
    wake();
    wake();
    expect(runs).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toBe(1);
  });
});

describe("reconnectDelayMs", () => {
  it("doubles from half a second", () => {
    expect([0, 1, 2, 3, 4].map(reconnectDelayMs)).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it("never exceeds 30 seconds, however many failures", () => {
    expect(reconnectDelayMs(6)).toBe(RECONNECT_MAX_MS);
    expect(reconnectDelayMs(1000)).toBe(RECONNECT_MAX_MS);
  });
});
