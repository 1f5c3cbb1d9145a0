import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "@/lib/core/env";

// AES-256-GCM. Stored form: "v1:<iv>:<tag>:<ciphertext>", each part base64url.
const VERSION = "v1";

function keyFrom(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

export function encryptSecret(plain: string, secret = env().APP_SECRET_KEY): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret), iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(":");
}

export function decryptSecret(stored: string, secret = env().APP_SECRET_KEY): string {
  const [version, iv, tag, data] = stored.split(":");
  if (version !== VERSION || !iv || !tag || data === undefined) throw new Error("Unrecognised encrypted value");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(secret), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
}

/** Whether `secret` decrypts `stored` (a value another key wrote, or a damaged one, does not). */
export function decrypts(stored: string, secret: string): boolean {
  try {
    decryptSecret(stored, secret);
    return true;
  } catch {
    return false;
  }
}

/** Shows enough of a secret to recognise it, never enough to use it. */
export function maskSecret(value: string): string {
  const prefix = value.startsWith("whsec_") ? "whsec_" : "";
  const tail = value.slice(-4);
  return `${prefix}${"•".repeat(8)}${tail}`;
}
