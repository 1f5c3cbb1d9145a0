import { describe, expect, it } from "vitest";
import { Slots } from "./slots";

describe("Slots", () => {
  it("counts requests in flight overall, per rule and per host, and forgets what is idle", () => {
    const slots = new Slots({ total: 4, perRule: 2, perHost: 3 });
    expect(slots.busy()).toEqual({ free: 4, rules: {}, hosts: {} });
    slots.take("rA", "a.test");
    slots.take("rA", "a.test");
    slots.take("rB", "a.test");
    expect(slots.inFlight).toBe(3);
    expect(slots.busy()).toEqual({ free: 1, rules: { rA: 2, rB: 1 }, hosts: { "a.test": 3 } });
    slots.release("rA", "a.test");
    slots.release("rB", "a.test");
    expect(slots.busy()).toEqual({ free: 3, rules: { rA: 1 }, hosts: { "a.test": 1 } });
    slots.release("rA", "a.test");
    expect(slots.busy()).toEqual({ free: 4, rules: {}, hosts: {} });
  });

  it("never reports a negative number of free slots", () => {
    const slots = new Slots({ total: 1, perRule: 1, perHost: 1 });
    slots.take("r", "h");
    slots.take("r2", "h2");
    expect(slots.busy().free).toBe(0);
  });
});
