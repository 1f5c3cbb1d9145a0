import { describe, expect, it } from "vitest";
import type { Sql } from "@/lib/db/sql";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Decision } from "../policy/outcome";
import { Recorder } from "./recorder";

// A database whose statements end when the test says so: each call is kept with the outcomes it wrote.
function heldDatabase() {
  const writes: { ids: string[]; release: () => void }[] = [];
  const sql: Sql = {
    query: async <T,>(_text: string, params: readonly unknown[] = []) => {
      const outcomes = JSON.parse(String(params[1])) as { id: string }[];
      await new Promise<void>((release) => writes.push({ ids: outcomes.map((o) => o.id), release }));
      return [] as T[];
    },
  };
  return { sql, writes };
}

const decision = (id: string): Decision => ({
  outcome: { id, state: "SUCCEEDED", attemptCount: 1, nextAttemptAt: null, lastStatusCode: 200, lastError: null, responseValues: null, completedAt: new Date(0).toISOString() },
  tally: "succeeded",
});

const settle = () => new Promise((r) => setImmediate(r));

describe("Recorder", () => {
  it("writes a full group at once and, while it is written, gathers everything that ends into the next group", async () => {
    const { sql, writes } = heldDatabase();
    const done: string[][] = [];
    const recorder = new Recorder({ sql, prisma: {} as PrismaClient, owner: "o", now: () => new Date(0), groupSize: 3, delayMs: 60_000, done: (ids) => done.push(ids) });
    for (const id of ["a", "b", "c"]) recorder.add(decision(id));
    await settle();
    expect(writes.map((w) => w.ids)).toEqual([["a", "b", "c"]]);
    // Seven more end while the first group is being written: they wait, and go as one group.
    for (const id of ["d", "e", "f", "g", "h", "i", "j"]) recorder.add(decision(id));
    await settle();
    expect(writes).toHaveLength(1);
    writes[0]!.release();
    await settle();
    expect(writes.map((w) => w.ids)).toEqual([["a", "b", "c"], ["d", "e", "f", "g", "h", "i", "j"]]);
    const flushed = recorder.flush();
    writes[1]!.release();
    await flushed;
    expect(done).toEqual([["a", "b", "c"], ["d", "e", "f", "g", "h", "i", "j"]]);
    expect(recorder.failure).toBeNull();
  });

  it("writes a group smaller than groupSize when flushed, and flush waits for every decision handed over", async () => {
    const { sql, writes } = heldDatabase();
    const recorder = new Recorder({ sql, prisma: {} as PrismaClient, owner: "o", now: () => new Date(0), groupSize: 50, delayMs: 60_000, done: () => {} });
    recorder.add(decision("a"));
    let flushed = false;
    const flushing = recorder.flush().then(() => (flushed = true));
    await settle();
    recorder.add(decision("b")); // ends while "a" is written: the same flush covers it
    writes[0]!.release();
    await settle();
    expect(flushed).toBe(false);
    expect(writes.map((w) => w.ids)).toEqual([["a"], ["b"]]);
    writes[1]!.release();
    await flushing;
    expect(flushed).toBe(true);
  });
});
