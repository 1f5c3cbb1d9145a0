import type { Batch } from "@/lib/domain/rule/batch";
import type { ClaimedDelivery, Decision } from "./outcome";

// Batches, decided without the database: which waiting deliveries of a rule form batches now, and
// what each delivery of a batch records once its one request has an outcome.

/**
 * The batches to form now from a rule's waiting deliveries (oldest first). One request goes to one
 * URL with one method and one set of headers, so only deliveries whose rendered request line
 * (`requestLine`: method, URL and headers) is the same are batched together: a rule whose URL or
 * headers use lead values (or a sending window's alternate URL) gets a batch per distinct request
 * line. Within each, groups of `maxLeads` in order, each due when it is full or its oldest
 * delivery has waited `maxSeconds` since it was queued; at most `most` of them, oldest first.
 */
export function dueGroups<T extends { queuedAt: string; requestLine?: string }>(waiting: readonly T[], batch: Pick<Batch, "maxLeads" | "maxSeconds">, now: Date, most: number): T[][] {
  const cutoff = now.getTime() - batch.maxSeconds * 1000;
  const lines = new Map<string, T[]>();
  for (const d of waiting) {
    const key = d.requestLine ?? "";
    const same = lines.get(key);
    if (same) same.push(d);
    else lines.set(key, [d]);
  }
  const groups: T[][] = [];
  for (const same of lines.values()) {
    for (let i = 0; i < same.length; i += batch.maxLeads) {
      const group = same.slice(i, i + batch.maxLeads);
      if (group.length === batch.maxLeads || Date.parse(group[0]!.queuedAt) <= cutoff) groups.push(group);
    }
  }
  return groups.sort((a, b) => a[0]!.queuedAt.localeCompare(b[0]!.queuedAt)).slice(0, Math.max(0, most));
}

/**
 * When the earliest of the waiting deliveries that no due group took becomes due by time (its
 * wait reaches maxSeconds), in ms since the epoch; null when every waiting delivery was taken.
 */
export function nextDueByTime(waiting: readonly { id: string; queuedAt: string }[], taken: ReadonlySet<string>, batch: Pick<Batch, "maxSeconds">): number | null {
  let earliest: number | null = null;
  for (const d of waiting) {
    if (taken.has(d.id)) continue;
    const due = Date.parse(d.queuedAt) + batch.maxSeconds * 1000;
    if (earliest === null || due < earliest) earliest = due;
  }
  return earliest;
}

/**
 * Each member's decision from the batch request's (decided as for one delivery whose id is the
 * batch's): the same state, response and schedule, with its own id and attempt number. The rule's
 * health counts the request once (on the first member), as the circuit breaker does.
 */
export function memberDecisions(request: Decision, members: readonly ClaimedDelivery[]): Decision[] {
  const { health, ...shared } = request;
  return members.map((m, i) => {
    const attemptCount = m.attemptCount + (request.attempt ? 1 : 0);
    return {
      ...shared,
      outcome: { ...request.outcome, id: m.id, attemptCount },
      ...(request.attempt ? { attempt: { ...request.attempt, deliveryId: m.id, number: attemptCount } } : {}),
      ...(health && i === 0 ? { health: { ...health, deliveryId: m.id } } : {}),
    };
  });
}
