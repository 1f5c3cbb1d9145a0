import { describe, expect, it } from "vitest";
import { attemptDiagnosis } from "./attempt-diagnosis";

const attempt = (a: Partial<Parameters<typeof attemptDiagnosis>[0]> = {}) => ({ succeeded: false, statusCode: 200, errorClass: null, errorMessage: null, parsedError: null, ...a });

describe("attemptDiagnosis", () => {
  it("says nothing about the attempt that succeeded", () => {
    expect(attemptDiagnosis(attempt({ succeeded: true }), null)).toBeNull();
  });

  it("reads a failed 200 by the delivery's reason (the body check)", () => {
    const d = attemptDiagnosis(attempt(), 'Body check failed: status is "error", expected "ok"');
    expect(d).toMatchObject({ ok: false, title: "Body condition failed: the response does not report success" });
  });

  it("a failed 200 of an earlier attempt, whose reason was not kept, is still a failure", () => {
    expect(attemptDiagnosis(attempt(), null)).toMatchObject({ ok: false, title: "The response did not meet the rule's success conditions" });
  });

  it("uses the stored error class, message and parsed error", () => {
    expect(attemptDiagnosis(attempt({ statusCode: 999, errorClass: "dns", errorMessage: "DNS lookup for x.invalid failed: ENOTFOUND" }), null)).toMatchObject({
      title: "DNS lookup failed: check the host name",
      detail: expect.stringContaining("ENOTFOUND"),
    });
    const d = attemptDiagnosis(attempt({ statusCode: 422, parsedError: { code: "E1", field: "phone" } }), null);
    expect(d?.title).toBe("422 Unprocessable: the endpoint rejected the lead's data");
    expect(d?.detail).toContain("The endpoint said: E1 (field: phone).");
    expect(attemptDiagnosis(attempt({ statusCode: 999, errorClass: "auth", errorMessage: "invalid_client" }), null)?.title).toBe("OAuth token request failed: check the Token URL and Grant Type");
  });
});
