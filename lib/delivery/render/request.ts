import type { EventEnvelope } from "@/lib/domain/event";
import type { LeadAnswers } from "@/lib/domain/lead";
import type { RuleRequest } from "@/lib/domain/rule";
import { RESERVED_HEADERS, type Header, type HttpMethod } from "@/lib/domain/rule/request";
import pkg from "@/package.json" with { type: "json" };
import { evaluateConditions } from "./conditions";
import { templateContext } from "./context";
import { applyMappings } from "./mapping";
import { renderPayload } from "./payload";
import { windowDecision } from "../policy/time-window";
import { renderUrl } from "./url";
import { RenderError } from "./errors";

// A rule's request for one lead event, rendered once when the event is recorded and frozen on the
// delivery (retries and replays send the same bytes). Conditions decide whether to send, the
// sending window when (or where), then the URL and the body are rendered.

/** Every request's user-agent header, unless the rule sets its own. */
export const USER_AGENT = `Leadhooks/${pkg.version}`;

export type RenderedRequest =
  | { kind: "skip"; reason: string }
  | {
      kind: "send";
      url: string;
      method: HttpMethod;
      /** Lower-case names: content-type (absent for GET unless set), user-agent, then the custom headers. */
      headers: Record<string, string>;
      /** "" for GET. */
      body: string;
      /** Outside a "wait" sending window: the delivery is due when the window next opens. */
      notBefore: Date | null;
    };

/**
 * Renders the request, or says why it is skipped. Throws RenderError (TemplateError for a template
 * that fails) with a message for the admin when the rule's templates cannot produce a request.
 * `answers`: the lead's kept client answers, which templates read as answers.<rule id>.<name>.
 */
export function renderRequest(rule: RuleRequest, envelope: EventEnvelope, now: Date, answers?: LeadAnswers): RenderedRequest {
  const ctx = templateContext(envelope, answers);
  const skip = evaluateConditions(rule.conditions, ctx);
  if (skip !== null) return { kind: "skip", reason: skip };

  const sending = windowDecision(rule.timeWindow, now);
  const notBefore = sending.kind === "wait" ? sending.until : null;
  const url = renderUrl(sending.kind === "alternate" ? sending.url : rule.url, ctx);
  const payload = renderPayload(rule, url, envelope, ctx, applyMappings(rule.mappings, ctx));
  return { kind: "send", url: payload.url, method: rule.method, headers: requestHeaders(rule.headers, payload.contentType), body: payload.body, notBefore };
}

const RESERVED = new Set<string>(RESERVED_HEADERS);

/**
 * A custom header replaces Leadhooks' value of the same name (any case), keeping its place.
 * Reserved names (framing, signature) were refused when the rule was saved and are dropped here
 * too, so an old or hand-edited row cannot forge them.
 */
function requestHeaders(custom: Header[], contentType: string | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (contentType) headers["content-type"] = contentType;
  headers["user-agent"] = USER_AGENT;
  for (const h of custom) {
    const name = h.name.trim().toLowerCase();
    // defineProperty: a header named __proto__ stays an ordinary (if odd) header.
    if (name && !RESERVED.has(name)) Object.defineProperty(headers, name, { value: h.value, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

/**
 * The request as the rule sends it with its conditions and sending window set aside: they decide
 * whether and when a real lead is sent, not what is sent. Used by the live preview, Test
 * Connection and the frozen request of a lead the conditions skipped. Throws like renderRequest.
 */
export function renderUnconditionally(rule: RuleRequest, envelope: EventEnvelope, now: Date, answers?: LeadAnswers): Extract<RenderedRequest, { kind: "send" }> {
  const rendered = renderRequest({ ...rule, conditions: { match: "all", items: [] }, timeWindow: null }, envelope, now, answers);
  // Without conditions nothing is skipped; the check keeps the type honest.
  if (rendered.kind === "skip") throw new RenderError(rendered.reason);
  return rendered;
}

