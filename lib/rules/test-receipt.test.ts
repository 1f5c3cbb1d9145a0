import { describe, expect, it } from "vitest";
import { signTestReceipt, verifiedTest } from "./test-receipt";

const SECRET = "a-test-secret-of-some-length";
const now = new Date("2026-11-23T12:00:00Z");
const test = { at: "2026-11-23T11:59:00.000Z", ok: true, status: 200, title: "Connected: the endpoint accepted the request" };

describe("test receipts", () => {
  it("keeps a result whose receipt the server signed for this organization", () => {
    const receipt = signTestReceipt("org_a", test, SECRET);
    expect(verifiedTest("org_a", { ...test, receipt }, now, SECRET)).toEqual(test);
  });

  it("refuses a changed result, another organization, a stale or future test, and garbage", () => {
    const receipt = signTestReceipt("org_a", test, SECRET);
    expect(verifiedTest("org_a", { ...test, ok: false, receipt }, now, SECRET)).toBeNull();
    expect(verifiedTest("org_a", { ...test, status: 201, receipt }, now, SECRET)).toBeNull();
    expect(verifiedTest("org_b", { ...test, receipt }, now, SECRET)).toBeNull();
    expect(verifiedTest("org_a", { ...test, receipt }, new Date("2026-11-23T13:00:01Z"), SECRET)).toBeNull();
    expect(verifiedTest("org_a", { ...test, receipt }, new Date("2026-11-23T11:00:00Z"), SECRET)).toBeNull();
    expect(verifiedTest("org_a", { ...test, receipt: "bm9wZQ" }, now, SECRET)).toBeNull();
    expect(verifiedTest("org_a", null, now, SECRET)).toBeNull();
  });
});
