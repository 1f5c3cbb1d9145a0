import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, maskSecret } from "./crypto";

const key = "unit-test-app-secret-key-0123456789abcdef";

describe("encryptSecret / decryptSecret", () => {
  it("round-trips text, including non-ASCII and empty strings", () => {
    for (const plain of ["whsec_abc123", "pässwörd 🔑", ""]) {
      const stored = encryptSecret(plain, key);
      expect(stored).toMatch(/^v1:[\w-]+:[\w-]+:[\w-]*$/);
      expect(stored).not.toContain(plain || "\u0000");
      expect(decryptSecret(stored, key)).toBe(plain);
    }
  });

  it("uses a fresh IV each time, so equal secrets do not look equal at rest", () => {
    expect(encryptSecret("same", key)).not.toBe(encryptSecret("same", key));
  });

  it("refuses a tampered ciphertext, tag or IV", () => {
    const [v, iv, tag, data] = encryptSecret("client-secret-value", key).split(":") as [string, string, string, string];
    const flip = (s: string) => {
      const buf = Buffer.from(s, "base64url");
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString("base64url");
    };
    expect(() => decryptSecret([v, iv, tag, flip(data)].join(":"), key)).toThrow();
    expect(() => decryptSecret([v, iv, flip(tag), data].join(":"), key)).toThrow();
    expect(() => decryptSecret([v, flip(iv), tag, data].join(":"), key)).toThrow();
  });

  it("refuses the wrong key", () => {
    const stored = encryptSecret("client-secret-value", key);
    expect(() => decryptSecret(stored, "another-app-secret-key-0123456789abcdef")).toThrow();
  });

  it("refuses values that are not in the stored format", () => {
    expect(() => decryptSecret("plain text", key)).toThrow(/Unrecognised encrypted value/);
    expect(() => decryptSecret("v2:a:b:c", key)).toThrow(/Unrecognised encrypted value/);
  });
});

describe("maskSecret", () => {
  it("keeps the whsec_ prefix and the last four characters only", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const masked = maskSecret(secret);
    expect(masked).toBe("whsec_••••••••LaSw");
    expect(masked).not.toContain("MfKQ9r8G");
  });

  it("masks other secrets without a prefix", () => {
    expect(maskSecret("sk_live_1234567890")).toBe("••••••••7890");
  });
});
