import { describe, expect, it } from "vitest";
import { coalesced, MAX_IN_FLIGHT, MAX_MERGED, type Shape } from "./coalesce";

/** A shape whose statements are held until released, recording the rows each one carried. */
function heldShape(opts: { fails?: (rows: readonly (readonly unknown[])[]) => unknown } = {}) {
  const runs: (readonly (readonly unknown[])[])[] = [];
  const gates: (() => void)[] = [];
  const shape: Shape = {
    key: "k",
    run: async (rows) => {
      runs.push(rows);
      await new Promise<void>((release) => gates.push(release));
      const err = opts.fails?.(rows);
      if (err) throw err;
      return { counts: rows.map((r) => r.length), read: "read" };
    },
    sharedFailure: (err) => (err as Error).message === "guard",
  };
  const releaseAll = async () => {
    while (gates.length) {
      gates.splice(0).forEach((release) => release());
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { shape, runs, releaseAll };
}

const call = (handle: object, shape: Shape, n: number) => coalesced(handle, shape, [[`lead${n}`], [`d${n}a`, `d${n}b`]]);

describe("coalesced inserts", () => {
  it("runs at once while fewer than MAX_IN_FLIGHT are running, then carries the calls that waited in one statement; each gets its own counts", async () => {
    const handle = {};
    const { shape, runs, releaseAll } = heldShape();
    const calls = Array.from({ length: MAX_IN_FLIGHT + 5 }, (_, i) => call(handle, shape, i));
    expect(runs).toHaveLength(MAX_IN_FLIGHT); // the rest wait
    await releaseAll();
    expect(await Promise.all(calls)).toEqual(calls.map(() => ({ counts: [1, 2], read: "read" })));
    expect(runs).toHaveLength(MAX_IN_FLIGHT + 1);
    expect(runs[MAX_IN_FLIGHT]).toEqual([
      ["lead2", "lead3", "lead4", "lead5", "lead6"],
      ["d2a", "d2b", "d3a", "d3b", "d4a", "d4b", "d5a", "d5b", "d6a", "d6b"],
    ]);
  });

  it("carries at most MAX_MERGED calls per statement", async () => {
    const handle = {};
    const { shape, runs, releaseAll } = heldShape();
    const calls = Array.from({ length: MAX_IN_FLIGHT + MAX_MERGED + 1 }, (_, i) => call(handle, shape, i));
    await releaseAll();
    await Promise.all(calls);
    expect(runs.slice(MAX_IN_FLIGHT).map((r) => r[0]!.length).sort((a, b) => b - a)).toEqual([MAX_MERGED, 1]);
  });

  it("a merged statement that fails runs each call alone: only the call whose rows fail is refused", async () => {
    const handle = {};
    const { shape, runs, releaseAll } = heldShape({ fails: (rows) => (rows[0]!.includes("lead4") ? new Error("duplicate key") : null) });
    const calls = Array.from({ length: MAX_IN_FLIGHT + 3 }, (_, i) => call(handle, shape, i).then(() => "ok", (e: Error) => e.message));
    await releaseAll();
    expect(await Promise.all(calls)).toEqual(["ok", "ok", "ok", "ok", "duplicate key"].slice(0, MAX_IN_FLIGHT + 3));
    // The merged one (lead2–lead4), then lead2, lead3 and lead4 alone.
    expect(runs.slice(MAX_IN_FLIGHT).map((r) => r[0])).toEqual([["lead2", "lead3", "lead4"], ["lead2"], ["lead3"], ["lead4"]]);
  });

  it("a guard that does not hold fails every call that shares it, without running them again", async () => {
    const handle = {};
    const { shape, runs, releaseAll } = heldShape({ fails: () => new Error("guard") });
    const calls = Array.from({ length: MAX_IN_FLIGHT + 3 }, (_, i) => call(handle, shape, i).then(() => "ok", (e: Error) => e.message));
    await releaseAll();
    expect(new Set(await Promise.all(calls))).toEqual(new Set(["guard"]));
    expect(runs).toHaveLength(MAX_IN_FLIGHT + 1);
  });

  it("calls of another shape, or on another handle, never share a statement", async () => {
    const { shape, runs, releaseAll } = heldShape();
    const other: Shape = { ...shape, key: "other" };
    const a = {};
    const b = {};
    const calls = [
      ...Array.from({ length: MAX_IN_FLIGHT + 2 }, (_, i) => call(a, shape, i)),
      ...Array.from({ length: MAX_IN_FLIGHT + 2 }, (_, i) => call(a, other, 10 + i)),
      ...Array.from({ length: MAX_IN_FLIGHT + 2 }, (_, i) => call(b, shape, 20 + i)),
    ];
    await releaseAll();
    await Promise.all(calls);
    const merged = runs.filter((r) => r[0]!.length > 1).map((r) => r[0]);
    expect(merged).toEqual([["lead2", "lead3"], ["lead12", "lead13"], ["lead22", "lead23"]]);
  });

  it("a shape that goes at the end of the turn (PGlite) carries every call made in that turn, though none was in flight", async () => {
    const handle = {};
    const runs: (readonly (readonly unknown[])[])[] = [];
    // Runs at once, as PGlite does within the turn that issued the statement.
    const shape: Shape = { key: "k", atTurnEnd: true, run: async (rows) => (runs.push(rows), { counts: rows.map((r) => r.length) }), sharedFailure: () => false };
    const first = [call(handle, shape, 0), call(handle, shape, 1), call(handle, shape, 2)];
    expect(runs).toHaveLength(0); // nothing yet: the turn has not ended
    expect(await Promise.all(first)).toEqual(first.map(() => ({ counts: [1, 2], read: undefined })));
    expect(runs.map((r) => r[0])).toEqual([["lead0", "lead1", "lead2"]]);
    // A call in a later turn goes in a statement of its own.
    expect(await call(handle, shape, 3)).toEqual({ counts: [1, 2] });
    expect(runs.map((r) => r[0])).toEqual([["lead0", "lead1", "lead2"], ["lead3"]]);
  });
});
