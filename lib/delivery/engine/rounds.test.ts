import { describe, expect, it } from "vitest";
import type { WakeReason } from "./pipeline";
import { Rounds } from "./rounds";

/** Rounds whose every round waits for the test to end it; records each round's claimFirst. */
function harness({ pending = () => false, stopping = () => false }: { pending?: () => boolean; stopping?: () => boolean } = {}) {
  const rounds: { claimFirst: boolean; end: (n?: number) => void; fail: (err: Error) => void }[] = [];
  const pokes: WakeReason[] = [];
  let restarts = 0;
  const r = new Rounds<number>({
    round: (claimFirst) =>
      new Promise<number>((resolve, reject) => {
        rounds.push({ claimFirst, end: (n = 1) => resolve(n), fail: reject });
      }),
    pending,
    stopping,
    poke: (why) => pokes.push(why),
    empty: () => 0,
    add: () => {},
    restart: () => restarts++,
  });
  return { r, rounds, pokes, restarts: () => restarts };
}

/** Lets every microtask queued so far (and those they queue) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function afterMicrotasks(depth: number, fn: () => void): void {
  if (depth === 0) fn();
  else queueMicrotask(() => afterMicrotasks(depth - 1, fn));
}

describe("Rounds: one dispatcher run at a time, a round more for each wake-up that comes during one", () => {
  it("a wake-up at any moment around a run's end is never lost: it gets a round, in that run or a new one", async () => {
    // Each depth lands the wake-up at another step between the round's end and the run's end. A
    // run that cleared its `running` a step after its last look told the wake-ups landing in
    // between to a run that had ended: nothing ran for them (a stop's CI run once saw 1,283
    // deliveries wait for the ticker that way).
    for (let depth = 0; depth <= 12; depth++) {
      const h = harness();
      void h.r.request("due");
      await settle();
      expect(h.rounds).toHaveLength(1);
      h.rounds[0]!.end();
      afterMicrotasks(depth, () => void h.r.request("due"));
      await settle();
      expect({ depth, rounds: h.rounds.length }).toEqual({ depth, rounds: 2 });
      h.rounds[1]!.end();
      await settle();
      expect({ depth, running: h.r.running }).toEqual({ depth, running: null });
    }
  });

  it("a wake-up during a round pokes it and asks for one more round; 'due' makes that round claim first, 'handed' does not", async () => {
    const h = harness();
    const run = h.r.request("handed");
    await settle();
    expect(h.rounds[0]!.claimFirst).toBe(false);
    expect(h.r.request("handed")).toBe(run);
    h.rounds[0]!.end();
    await settle();
    expect(h.rounds.map((x) => x.claimFirst)).toEqual([false, false]);
    h.r.request("look");
    h.r.request("handed");
    h.rounds[1]!.end();
    await settle();
    expect(h.rounds.map((x) => x.claimFirst)).toEqual([false, false, true]);
    expect(h.pokes).toEqual(["handed", "look", "handed"]);
    h.rounds[2]!.end(5);
    await expect(run).resolves.toBe(0); // add is a no-op here: the run's total is the empty one
    expect(h.r.running).toBeNull();
  });

  it("pending work (the inbox) asks for another round without a wake-up; stopping ends the run and starts none", async () => {
    let pending = 2;
    let stopping = false;
    const h = harness({ pending: () => pending-- > 0, stopping: () => stopping });
    void h.r.request("due");
    await settle();
    h.rounds[0]!.end();
    await settle();
    h.rounds[1]!.end();
    await settle();
    expect(h.rounds).toHaveLength(3);
    stopping = true;
    h.r.request("due");
    h.rounds[2]!.end();
    await settle();
    expect([h.rounds.length, h.r.running]).toEqual([3, null]);
    await expect(h.r.request("due")).resolves.toBe(0);
    expect(h.rounds).toHaveLength(3);
  });

  it("a failed run rejects its callers, ends, and restarts only for pending work", async () => {
    let pending = false;
    const h = harness({ pending: () => pending });
    const first = h.r.request("due");
    await settle();
    h.rounds[0]!.fail(new Error("database away"));
    await expect(first).rejects.toThrow("database away");
    await settle();
    expect([h.r.running, h.restarts()]).toEqual([null, 0]);
    const second = h.r.request("due");
    await settle();
    pending = true;
    h.rounds[1]!.fail(new Error("database away"));
    await expect(second).rejects.toThrow("database away");
    await settle();
    expect([h.r.running, h.restarts()]).toEqual([null, 1]);
  });
});
