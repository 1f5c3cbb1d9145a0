import { describe, expect, it } from "vitest";
import { dueGroups, memberDecisions, nextDueByTime } from "./batch";
import { deferred, sent, type ClaimedDelivery } from "./outcome";

const now = new Date("2026-11-30T12:00:00.000Z");
const waiting = (ages: number[]) => ages.map((s, i) => ({ id: `d${i}`, queuedAt: new Date(now.getTime() - s * 1000).toISOString() }));
const ids = (groups: { id: string }[][]) => groups.map((g) => g.map((d) => d.id));

describe("nextDueByTime", () => {
  it("is when the oldest delivery no due group took reaches maxSeconds; null when every one was taken", () => {
    const w = waiting([50, 40, 10]);
    expect(nextDueByTime(w, new Set(), { maxSeconds: 60 })).toBe(now.getTime() + 10_000);
    expect(nextDueByTime(w, new Set(["d0"]), { maxSeconds: 60 })).toBe(now.getTime() + 20_000);
    expect(nextDueByTime(w, new Set(["d0", "d1", "d2"]), { maxSeconds: 60 })).toBeNull();
  });
});

describe("dueGroups", () => {
  it("forms full groups at once, oldest first", () => {
    expect(ids(dueGroups(waiting([5, 4, 3, 2, 1]), { maxLeads: 2, maxSeconds: 60 }, now, 10))).toEqual([["d0", "d1"], ["d2", "d3"]]);
  });

  it("forms a short group once its oldest delivery has waited maxSeconds", () => {
    expect(dueGroups(waiting([59, 30]), { maxLeads: 5, maxSeconds: 60 }, now, 10)).toEqual([]);
    expect(ids(dueGroups(waiting([60, 30]), { maxLeads: 5, maxSeconds: 60 }, now, 10))).toEqual([["d0", "d1"]]);
  });

  it("never puts deliveries with different request lines (method, URL, headers) in one batch", () => {
    const mixed = waiting([9, 8, 7, 6, 5]).map((d, i) => ({ ...d, requestLine: i % 2 ? "POST https://b.test/x {}" : "POST https://a.test/x {}" }));
    expect(ids(dueGroups(mixed, { maxLeads: 2, maxSeconds: 60 }, now, 10))).toEqual([["d0", "d2"], ["d1", "d3"]]);
    // A short group of one line is due by its own oldest delivery.
    expect(ids(dueGroups(mixed, { maxLeads: 3, maxSeconds: 6 }, now, 10))).toEqual([["d0", "d2", "d4"], ["d1", "d3"]]);
    expect(ids(dueGroups(mixed, { maxLeads: 3, maxSeconds: 6 }, now, 1))).toEqual([["d0", "d2", "d4"]]);
  });

  it("forms at most `most` groups", () => {
    expect(ids(dueGroups(waiting([9, 8, 7, 6, 5, 4]), { maxLeads: 2, maxSeconds: 1 }, now, 2))).toEqual([["d0", "d1"], ["d2", "d3"]]);
    expect(dueGroups(waiting([9, 8]), { maxLeads: 2, maxSeconds: 1 }, now, 0)).toEqual([]);
  });
});

describe("memberDecisions", () => {
  const member = (id: string, attemptCount = 1): ClaimedDelivery => ({
    id, organizationId: "org", ruleId: "rule", url: "https://x.test/", method: "POST", requestHeaders: {}, attemptCount, consecutiveFailures: 0,
  });
  const unit = { ...member("bat_1"), url: "https://x.test/batch" };
  const response = {
    status: 500, headers: {}, body: "no", bodyTruncated: false, durationMs: 12, sentUrl: "https://x.test/batch", sentHeaders: { "webhook-id": "bat_1" }, error: null,
  } as unknown as Parameters<typeof sent>[1]["response"];

  it("gives every member the request's outcome and attempt under its own id, and the rule's health once", () => {
    const nextAttemptAt = new Date(now.getTime() + 60_000);
    const request = sent(unit, { response, state: "PENDING", nextAttemptAt, lastError: "HTTP 500", gone: false, responseValues: null, parsedError: null }, { startedAt: now, now });
    const [a, b] = memberDecisions(request, [member("d1"), member("d2")]);
    for (const [d, id] of [[a!, "d1"], [b!, "d2"]] as const) {
      expect(d.outcome).toMatchObject({ id, state: "PENDING", attemptCount: 2, nextAttemptAt: nextAttemptAt.toISOString(), lastStatusCode: 500, lastError: "HTTP 500" });
      expect(d.attempt).toMatchObject({ deliveryId: id, number: 2, statusCode: 500, requestUrl: "https://x.test/batch", requestHeaders: { "webhook-id": "bat_1" } });
      expect(d.tally).toBe("retrying");
    }
    expect(a!.health).toMatchObject({ deliveryId: "d1", outcome: "RETRYING" });
    expect(b!.health).toBeUndefined();
  });

  it("keeps each member's attempt count when nothing was sent", () => {
    const until = new Date(now.getTime() + 3_600_000);
    const [a] = memberDecisions(deferred(unit, until), [member("d1", 0)]);
    expect(a).toEqual({ outcome: expect.objectContaining({ id: "d1", attemptCount: 0, nextAttemptAt: until.toISOString() }), tally: "deferred" });
  });
});
