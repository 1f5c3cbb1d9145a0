import { describe, expect, it, vi } from "vitest";
import { setDatabase, type Database } from "@/lib/db";
import { NOTIFY_TIMEOUT_MS, wakeDispatcher } from "./wake";

describe("wakeDispatcher's notification", () => {
  it("is given up when the database does not answer it, and the wake-ups folded behind it are sent then", async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const sent: unknown[][] = [];
    // A connection gone silent: the statement is sent and never answered.
    const silent = { kind: "postgres", sql: { query: (_: string, params: unknown[]) => (sent.push(params), new Promise(() => {})) } } as unknown as Database;
    setDatabase(silent);
    try {
      wakeDispatcher();
      await vi.advanceTimersByTimeAsync(0);
      expect(sent).toHaveLength(1);
      wakeDispatcher();
      wakeDispatcher();
      await vi.advanceTimersByTimeAsync(NOTIFY_TIMEOUT_MS - 1);
      expect(sent).toHaveLength(1); // folded behind the one in flight
      await vi.advanceTimersByTimeAsync(1);
      expect(sent).toHaveLength(2);
      expect(error).toHaveBeenCalledWith("wake-up notification:", expect.stringMatching(/^no answer from the database in 10 s/));
      await vi.advanceTimersByTimeAsync(NOTIFY_TIMEOUT_MS);
      expect(sent).toHaveLength(2); // nothing more was asked for
      wakeDispatcher();
      await vi.advanceTimersByTimeAsync(0);
      expect(sent).toHaveLength(3);
    } finally {
      setDatabase(undefined);
      vi.useRealTimers();
      error.mockRestore();
    }
  });
});
