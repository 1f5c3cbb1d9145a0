import type { EventEnvelope } from "@/lib/domain/event";
import type { LeadAnswers } from "@/lib/domain/lead";
import { ruleFromRow, type RuleRequest, type RuleRequestRow } from "@/lib/domain/rule";
import { renderRequest, renderUnconditionally } from "@/lib/delivery/render/request";
import { WAITING_MESSAGE } from "@/lib/delivery/policy/outcome";

// Each matched rule's request is rendered when the event is recorded (its mapping, format and URL
// template) and frozen on the delivery, so a retry or replay sends the same bytes. A lead that
// fails the rule's conditions gets a SKIPPED delivery that says why; one whose request cannot be
// rendered a FAILED one. Accepted events are never dropped silently.

/** What the new delivery row is keyed by and belongs to. */
export interface DeliveryKeys {
  id: string;
  organizationId: string;
  ruleId: string;
  eventId: string;
  leadId: string | null;
}

/**
 * The delivery row for one matched rule, rendered at `now` from the event's envelope (`renderable`:
 * the row's request already read, when the caller keeps it; `answers`: the lead's kept answers).
 */
export function freezeDelivery(keys: DeliveryKeys, rule: RuleRequestRow, envelope: EventEnvelope, now: Date, renderable: RuleRequest = ruleFromRow(rule), answers?: LeadAnswers) {
  const base = { ...keys, createdAt: now };
  let rendered: ReturnType<typeof renderRequest>;
  try {
    rendered = renderRequest(renderable, envelope, now, answers);
    if (rendered.kind === "skip") {
      // The request is still rendered and frozen, so an admin who retries the skipped delivery
      // sends the lead as the rule would have.
      const request = renderUnconditionally(renderable, envelope, now, answers);
      return {
        ...base, url: request.url, method: request.method, requestHeaders: request.headers, requestBody: request.body,
        state: "SKIPPED" as const, skipKind: "CONDITIONS" as const, lastError: rendered.reason, completedAt: now, nextAttemptAt: null,
      };
    }
  } catch (err) {
    return {
      ...base, url: rule.url, method: rule.method, requestHeaders: {}, requestBody: "", state: "FAILED" as const, completedAt: now, nextAttemptAt: null,
      lastError: `The request could not be rendered: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  // Recorded outside the rule's sending window: due when it opens, and it says so from the start
  // (as a delivery a claim deferred does), instead of a bare next attempt with no reason.
  const waiting = rendered.notBefore ? { lastError: WAITING_MESSAGE } : {};
  return { ...base, url: rendered.url, method: rendered.method, requestHeaders: rendered.headers, requestBody: rendered.body, nextAttemptAt: rendered.notBefore ?? now, ...waiting };
}
