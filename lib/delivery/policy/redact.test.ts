import { describe, expect, it } from "vitest";
import { isSensitiveHeader, REDACTED, redactHeaders } from "./redact";

describe("redactHeaders", () => {
  it("hides the usual credential headers in any spelling, and keeps the others as they are", () => {
    const headers = { Authorization: "Bearer t", "X-API-Key": "k", Cookie: "s=1", "content-type": "application/json", "webhook-id": "dlv_1" };
    expect(redactHeaders(headers)).toEqual({ Authorization: REDACTED, "X-API-Key": REDACTED, Cookie: REDACTED, "content-type": "application/json", "webhook-id": "dlv_1" });
  });

  it("hides the rule's own credential header (an API key sent under a custom name)", () => {
    expect(redactHeaders({ "X-Partner-Token": "abc", accept: "*/*" }, ["x-partner-token"])).toEqual({ "X-Partner-Token": REDACTED, accept: "*/*" });
    expect(isSensitiveHeader(["X-Partner-Token"])("x-partner-token")).toBe(true);
    expect(isSensitiveHeader()("x-partner-token")).toBe(false);
  });
});
