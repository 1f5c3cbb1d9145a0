import { describe, expect, it } from "vitest";
import { testAuthConfigs as configs } from "@/lib/domain/rule/testing";
import { encryptSecret } from "@/lib/security/crypto";
import { decryptAuthConfig, encryptAuthConfig, StoredAuthError } from "./credentials";

const KEY = "unit-test-app-secret-key-0123456789abcdef";

describe("stored authentication (encrypted)", () => {
  it.each(configs)("round-trips $type, and the stored value does not show the secret", (config) => {
    const stored = encryptAuthConfig(config, KEY)!;
    expect(stored).toMatch(/^v1:/);
    for (const secret of ["basic-pw", "digest-pw", "oauth-pw", "cs-1-secret", "bearer-token", "api-key-value", '"type"']) expect(stored).not.toContain(secret);
    expect(decryptAuthConfig(config.type, stored, KEY)).toEqual(config);
  });

  it("stores nothing for None, and reads None whatever the column holds", () => {
    expect(encryptAuthConfig({ type: "NONE" }, KEY)).toBeNull();
    expect(decryptAuthConfig("NONE", null, KEY)).toEqual({ type: "NONE" });
    expect(decryptAuthConfig("NONE", "junk", KEY)).toEqual({ type: "NONE" });
  });

  it("explains a value encrypted with another APP_SECRET_KEY, without showing it", () => {
    const stored = encryptAuthConfig(configs[0]!, KEY)!;
    expect(() => decryptAuthConfig("BASIC", stored, "another-key-of-at-least-32-characters!!")).toThrow(StoredAuthError);
    expect(() => decryptAuthConfig("BASIC", stored, "another-key-of-at-least-32-characters!!")).toThrow(/Basic credentials cannot be decrypted \(was APP_SECRET_KEY changed\?\)/);
  });

  it("refuses a missing, damaged or mismatched value with a clear message", () => {
    expect(() => decryptAuthConfig("BEARER", null, KEY)).toThrow(/Bearer Token credentials are missing/);
    expect(() => decryptAuthConfig("BASIC", "v1:garbage", KEY)).toThrow(StoredAuthError);
    expect(() => decryptAuthConfig("BASIC", encryptSecret("not json", KEY), KEY)).toThrow(/damaged/);
    expect(() => decryptAuthConfig("BASIC", encryptSecret('{"type":"BASIC"}', KEY), KEY)).toThrow(/damaged/);
    // The authType column says Digest but the JSON is Basic: not silently sent as Basic.
    expect(() => decryptAuthConfig("DIGEST", encryptAuthConfig(configs[0]!, KEY), KEY)).toThrow(/Digest credentials are damaged/);
  });
});
