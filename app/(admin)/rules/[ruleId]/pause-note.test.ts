import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { PauseNote } from "./pause-note";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");

describe("PauseNote", () => {
  const until = new Date("2026-12-01T14:03:07.000Z");

  it("says until when (UTC) and why the rule is paused", () => {
    const html = renderToStaticMarkup(createElement(PauseNote, { pause: { until, reason: "5 requests in a row unanswered or answered 5xx; a probe request goes out at 14:03:07 UTC" } }));
    expect(html).toMatch(/^<p role="note"/);
    expect(text(html)).toBe(
      "Paused by the circuit breaker until 1 Dec 2026, 14:03:07 UTC: 5 requests in a row unanswered or answered 5xx; a probe request goes out at 14:03:07 UTC. Its deliveries wait meanwhile (delayed, never dropped).",
    );
  });

  it("reads well without a reason", () => {
    expect(text(renderToStaticMarkup(createElement(PauseNote, { pause: { until, reason: null } })))).toBe(
      "Paused by the circuit breaker until 1 Dec 2026, 14:03:07 UTC. Its deliveries wait meanwhile (delayed, never dropped).",
    );
  });
});
