import type { SignatureSchemeValue } from "@/lib/domain/rule";
import { createHmac } from "node:crypto";

// Two signing schemes, both HMAC-SHA256 with the organization's (or rule's) key:
// - Standard Webhooks (default): webhook-id / webhook-timestamp / webhook-signature headers,
//   signature over "id.timestamp.body", base64, "v1," prefix; several keys space-separated.
// - HMAC hex, for receivers that check one digest of the body: sha256=<hex of the raw body>.

/** The raw key bytes of a `whsec_<base64>` secret (Standard Webhooks' convention). */
export function secretBytes(secret: string): Buffer {
  return Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
}

export function standardSignature(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const mac = createHmac("sha256", secretBytes(secret));
  mac.update(`${id}.${timestampSeconds}.`);
  mac.update(body);
  return `v1,${mac.digest("base64")}`;
}

export interface SignInput {
  id: string;
  body: string | Buffer;
  /** Current key first, then keys still in their rotation grace period. */
  secrets: readonly string[];
  now?: Date;
}

export function standardWebhookHeaders({ id, body, secrets, now = new Date() }: SignInput): Record<string, string> {
  const ts = Math.floor(now.getTime() / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(ts),
    "webhook-signature": secrets.map((s) => standardSignature(s, id, ts, body)).join(" "),
  };
}

export function hexSignature(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secretBytes(secret)).update(body).digest("hex")}`;
}

export function hmacHexHeaders({ id, body, secrets, now = new Date() }: SignInput): Record<string, string> {
  return {
    "X-Leadhooks-Delivery-Id": id,
    "X-Leadhooks-Timestamp": now.toISOString(),
    "X-Leadhooks-Signature": secrets.map((s) => hexSignature(s, body)).join(","),
  };
}

export type SignatureScheme = SignatureSchemeValue;

// The one place a scheme is told apart: how a request is signed, and the headers the Request
// tab's preview shows in place of a real signature.
const SCHEMES: Record<SignatureScheme, { sign: (input: SignInput) => Record<string, string>; preview: (mask: string) => [string, string][] }> = {
  STANDARD: {
    sign: standardWebhookHeaders,
    preview: (mask) => [["webhook-id", "<delivery id>"], ["webhook-timestamp", "<unix time of the attempt>"], ["webhook-signature", `v1,${mask}`]],
  },
  HMAC_HEX: {
    sign: hmacHexHeaders,
    preview: (mask) => [["x-leadhooks-delivery-id", "<delivery id>"], ["x-leadhooks-timestamp", "<time of the attempt>"], ["x-leadhooks-signature", `sha256=${mask}`]],
  },
};

/** The signature headers of a request signed with `scheme`. */
export function signatureHeaders(scheme: SignatureScheme, input: SignInput): Record<string, string> {
  return SCHEMES[scheme].sign(input);
}

/** The signature headers' names with placeholders for their values (`mask` stands for the signature). */
export function signaturePreviewHeaders(scheme: SignatureScheme, mask: string): [string, string][] {
  return SCHEMES[scheme].preview(mask);
}
