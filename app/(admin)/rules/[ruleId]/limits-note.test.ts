import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LimitsNote } from "./limits-note";

const text = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&#x27;/g, "'");
const resetsAt = new Date("2026-11-27T05:00:00.000Z");

describe("LimitsNote", () => {
  it("shows the use against each cap, when it resets, and the rate limit", () => {
    const html = renderToStaticMarkup(createElement(LimitsNote, { limits: { whenCapped: "hold", caps: [{ period: "day", limit: 500, used: 412, resetsAt }], rate: "10 requests per second", timeZone: "UTC" } }));
    expect(html).toMatch(/^<p role="note"/);
    expect(text(html)).toBe("Delivery limits: 412 / 500 today (resets 27 Nov 2026, 05:00:00 UTC); at most 10 requests per second.");
  });

  it("says what happens to new deliveries once a cap is reached", () => {
    const limits = { whenCapped: "skip" as const, caps: [{ period: "hour" as const, limit: 5, used: 5, resetsAt }], rate: null, timeZone: "UTC" };
    expect(text(renderToStaticMarkup(createElement(LimitsNote, { limits })))).toBe(
      "Delivery limits: 5 / 5 this hour (resets 27 Nov 2026, 05:00:00 UTC). A cap is reached: new deliveries are skipped until it resets.",
    );
  });
});
