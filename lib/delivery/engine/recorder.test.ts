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

  it("tries a group that failed again while its leases hold, and gives up once they may not", async () => {
    const tries: string[][] = [];
    let failing = 2;
    let failure = new Error("Connection terminated unexpectedly");
    const sql: Sql = {
      query: async <T,>(_text: string, params: readonly unknown[] = []) => {
        tries.push((JSON.parse(String(params[1])) as { id: string }[]).map((o) => o.id));
        if (failing-- > 0) throw failure;
        return [] as T[];
      },
    };
    const done: string[][] = [];
    const logged: string[] = [];
    const options = { sql, prisma: {} as PrismaClient, owner: "o", now: () => new Date(0), groupSize: 2, delayMs: 60_000, done: (ids: string[]) => done.push(ids), log: (l: string) => logged.push(l) };
    const recorder = new Recorder({ ...options, retryUntil: () => Date.now() + 60_000 });
    recorder.add(decision("a"));
    recorder.add(decision("b"));
    await recorder.flush();
    expect(tries).toEqual([["a", "b"], ["a", "b"], ["a", "b"]]);
    expect(done).toEqual([["a", "b"]]);
    expect(recorder.failure).toBeNull();
    expect(logged).toEqual(["dispatcher: recording 2 outcomes failed (Connection terminated unexpectedly); trying again while their leases hold"]);

    // Leases that may run out before the next try: the group is left to them (failure set, done called).
    failing = 1;
    const late = new Recorder({ ...options, retryUntil: () => Date.now() });
    late.add(decision("c"));
    await late.flush();
    expect(tries.slice(3)).toEqual([["c"]]);
    expect(done).toEqual([["a", "b"], ["c"]]);
    expect(late.failure).toBeInstanceOf(Error);

    // A stopping process gives a group three tries at most.
    failing = 10;
    const stopping = new Recorder({ ...options, retryUntil: () => Date.now() + 60_000, stopping: () => true });
    stopping.add(decision("d"));
    await stopping.flush();
    expect(tries.slice(4)).toEqual([["d"], ["d"], ["d"]]);
    expect(stopping.failure).toBeInstanceOf(Error);

    // An error that does not say the database is out of reach (a bug, a statement the server
    // cancelled) fails the group at once: trying it again would fail again, holding up the rest.
    failing = 10;
    failure = new TypeError("Cannot read properties of undefined");
    const broken = new Recorder({ ...options, retryUntil: () => Date.now() + 60_000 });
    broken.add(decision("e"));
    await broken.flush();
    expect(tries.slice(7)).toEqual([["e"]]);
    expect(broken.failure).toBe(failure);

    // The deadline is read at the first failure: leases extended meanwhile do not move it.
    failing = 1_000;
    failure = new Error("Connection terminated unexpectedly");
    let until = Date.now() + 400;
    const bounded = new Recorder({ ...options, retryUntil: () => (until += 1_000) });
    bounded.add(decision("f"));
    await bounded.flush();
    // Pauses of 0.1, 0.2, 0.4 s fit in the 1.4 s first read; the fourth try's 0.8 s would not.
    expect(tries.slice(8).length).toBeGreaterThanOrEqual(1);
    expect(tries.slice(8).length).toBeLessThanOrEqual(4);
    expect(bounded.failure).toBe(failure);
  });
});
