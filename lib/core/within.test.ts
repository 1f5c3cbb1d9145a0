import { describe, expect, it, vi } from "vitest";
import { within } from "./within";

describe("within", () => {
  it("gives what the promise settles with before the time is up, value or error", async () => {
    await expect(within(Promise.resolve(7), 1000, () => new Error("late"))).resolves.toBe(7);
    await expect(within(Promise.reject(new Error("refused")), 1000, () => new Error("late"))).rejects.toThrow("refused");
  });

  it("rejects with the given error once the time is up, and not a moment before", async () => {
    vi.useFakeTimers();
    try {
      let outcome: unknown = "pending";
      within(new Promise(() => {}), 5000, () => Object.assign(new Error("timed out"), { code: "ETIMEOUT" })).catch((err: unknown) => (outcome = err));
      await vi.advanceTimersByTimeAsync(4999);
      expect(outcome).toBe("pending");
      await vi.advanceTimersByTimeAsync(1);
      expect(outcome).toMatchObject({ message: "timed out", code: "ETIMEOUT" });
    } finally {
      vi.useRealTimers();
    }
  });
});
