import { describe, expect, it } from "vitest";
import { newId, randomBase62 } from "./ids";

describe("random ids", () => {
  it("are base62 of the asked length behind their prefix, and never repeat across many pool refills", () => {
    const ids = Array.from({ length: 20_000 }, () => newId("dlv"));
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^dlv_[0-9A-Za-z]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(randomBase62(1)).toMatch(/^[0-9A-Za-z]$/);
    expect(randomBase62(5000)).toHaveLength(5000); // longer than the pool of random bytes
  });

  it("sort by when they were made, in this process in the order made even within one millisecond, in every collation", () => {
    const ids = Array.from({ length: 5_000 }, () => newId("lead"));
    expect([...ids].sort()).toEqual(ids);
    // Lower-case and digits only in the ordered part: a linguistic collation (case folded) agrees.
    const collator = new Intl.Collator("en", { sensitivity: "base" });
    const ordered = ids.map((id) => id.slice("lead_".length, "lead_".length + 12));
    expect([...ordered].sort(collator.compare)).toEqual(ordered);
    const before = newId("evt");
    const at = Date.now();
    const after = newId("evt");
    expect(after > before).toBe(true);
    expect(Number.parseInt(after.slice(4, 13), 36)).toBeGreaterThanOrEqual(at);
  });

  it("use every character about equally often", () => {
    const counts = new Map<string, number>();
    for (const c of randomBase62(62 * 4000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // Expected 4000 each, standard deviation about 63: 10 deviations either way never happens by chance.
    for (const n of counts.values()) expect(Math.abs(n - 4000)).toBeLessThan(630);
  });
});
