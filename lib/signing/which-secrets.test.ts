import { describe, expect, it, vi } from "vitest";
import { encryptSecret } from "@/lib/security/crypto";
import { secretsThatSign } from "./which-secrets";

// Stored secrets are encrypted with the process's key, as the database holds them.
const enc = (secret: string) => encryptSecret(secret);

const now = new Date("2026-11-23T12:00:00Z");
const later = new Date(now.getTime() + 60_000);
const organization = vi.fn(async () => ["org-current", "org-previous"]);
const none = { signingSecretEncrypted: null, previousSecretEncrypted: null, previousSecretExpiresAt: null };

describe("secretsThatSign", () => {
  it("signs an unsaved rule, or one without a secret of its own, with the organization's keys", async () => {
    await expect(secretsThatSign(null, now, organization)).resolves.toEqual(["org-current", "org-previous"]);
    await expect(secretsThatSign(none, now, organization)).resolves.toEqual(["org-current", "org-previous"]);
  });

  it("signs with the rule's own secret, and its previous one only while its grace period runs", async () => {
    organization.mockClear();
    const rule = { signingSecretEncrypted: enc("own"), previousSecretEncrypted: enc("old"), previousSecretExpiresAt: later };
    await expect(secretsThatSign(rule, now, organization)).resolves.toEqual(["own", "old"]);
    await expect(secretsThatSign(rule, later, organization)).resolves.toEqual(["own"]);
    expect(organization).not.toHaveBeenCalled();
  });

  it("throws at once for a rule secret that cannot be decrypted, and rejects for the organization's keys", async () => {
    expect(() => secretsThatSign({ ...none, signingSecretEncrypted: "garbled" }, now, organization)).toThrow("Unrecognised encrypted value");
    const failing = secretsThatSign(null, now, () => Promise.reject(new Error("database down")));
    await expect(failing).rejects.toThrow("database down");
  });
});
