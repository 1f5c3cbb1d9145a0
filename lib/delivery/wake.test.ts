import { describe, expect, it, vi } from "vitest";
import { setDatabase, type Database } from "@/lib/db";
import { NOTIFY_TIMEOUT_MAX_MS, NOTIFY_TIMEOUT_MS, wakeDispatcher } from "./wake";

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
      await vi.advanceTimersByTimeAsync(10 * NOTIFY_TIMEOUT_MS);
      expect(sent).toHaveLength(2); // nothing more was asked for
    } finally {
      setDatabase(undefined);
      vi.useRealTimers();
      error.mockRestore();
    }
  });

  // A query cannot be taken back from the pool's queue: each one given up may still go out once
  // the pool comes free, so a database silent for minutes must not collect one every 10 s.
  it("waits twice as long after each give-up in a row, up to a limit, and afresh once one is answered", async () => {
    vi.useFakeTimers();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const sentAt: number[] = [];
    let silent = true;
    const start = Date.now();
    const database = {
      kind: "postgres",
      sql: { query: () => (sentAt.push((Date.now() - start) / 1000), silent ? new Promise(() => {}) : Promise.resolve([])) },
    } as unknown as Database;
    setDatabase(database);
    const wakeEverySecondFor = async (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        wakeDispatcher();
        await vi.advanceTimersByTimeAsync(1000);
      }
    };
    try {
      await wakeEverySecondFor(149);
      expect(sentAt).toEqual([0, 10, 30, 70]); // given up after 10, 20, 40 s; the fourth waits 80 s
      silent = false;
      await wakeEverySecondFor(2);
      expect(sentAt).toEqual([0, 10, 30, 70, 150, 150]); // the fourth given up at 150 s; the next ones are answered
      silent = true;
      await wakeEverySecondFor(12);
      expect(sentAt.slice(6)).toEqual([151, 161]); // the wait starts again at 10 s
      expect(NOTIFY_TIMEOUT_MAX_MS).toBe(32 * NOTIFY_TIMEOUT_MS);
    } finally {
      setDatabase(undefined);
      vi.useRealTimers();
      error.mockRestore();
    }
  });
});
