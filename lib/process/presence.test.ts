import { describe, expect, it } from "vitest";
import { describeProcess, PRESENCE_REFRESH_MS, PRESENCE_STALE_MS } from "./presence";

describe("process presence", () => {
  it("a process counts as gone only after three refreshes were missed, and never sooner than 30 s", () => {
    expect(PRESENCE_STALE_MS).toBeGreaterThanOrEqual(3 * PRESENCE_REFRESH_MS);
    expect(PRESENCE_STALE_MS).toBeGreaterThanOrEqual(30_000);
  });

  it("names a process on one line: role, host, pid, how long ago and when it was last seen; control characters shown, not obeyed", () => {
    const p = { role: "web", host: "app-1", pid: 4242, startedAt: "2026-12-04T09:00:00.000Z", lastSeenAt: "2026-12-04T10:00:00.000Z", sinceSeenMs: 3_400 };
    expect(describeProcess(p)).toBe("web on app-1 (pid 4242, last seen 3 s ago at 2026-12-04T10:00:00.000Z)");
    expect(describeProcess({ ...p, host: "evil\n    worker on x\u001b[2J" })).toBe("web on evil\\u000a    worker on x\\u001b[2J (pid 4242, last seen 3 s ago at 2026-12-04T10:00:00.000Z)");
  });
});
