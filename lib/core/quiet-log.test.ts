import { describe, expect, it } from "vitest";
import { quietLog } from "./quiet-log";

describe("quietLog", () => {
  it("writes a repeated line once per interval, saying how often it came meanwhile", () => {
    const written: string[] = [];
    let t = 0;
    const log = quietLog((l) => written.push(l), 30_000, () => t);
    for (; t < 60_000; t += 250) log("dispatcher: Query read timeout");
    log("dispatcher: another failure");
    expect(written).toEqual([
      "dispatcher: Query read timeout",
      "dispatcher: Query read timeout (119 more times since it was last written)",
      "dispatcher: another failure",
    ]);
    t += 30_000;
    log("dispatcher: Query read timeout");
    expect(written.at(-1)).toBe("dispatcher: Query read timeout (119 more times since it was last written)");
  });

  it("writes different lines each the first time", () => {
    const written: string[] = [];
    const log = quietLog((l) => written.push(l), 30_000, () => 0);
    for (let i = 0; i < 150; i++) log(`line ${i}`);
    log("line 0"); // forgotten among the 100 most recent: written again
    log("line 149"); // remembered: held
    expect(written).toHaveLength(151);
  });
});
