import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/core/env";
import type { LastTest } from "./mutations";

// A rule tested before its first save has no row to record the result on. The test action hands
// the form a receipt, an HMAC over the organization and the result, and the create action keeps
// the result only when the receipt matches: the browser carries it but cannot make one up.

const MAX_AGE_MS = 60 * 60_000;

function mac(organizationId: string, t: LastTest, secret: string): Buffer {
  return createHmac("sha256", secret).update(JSON.stringify(["leadhooks.test-receipt.v1", organizationId, t.at, t.ok, t.status, t.title])).digest();
}

export function signTestReceipt(organizationId: string, t: LastTest, secret = env().NEXTAUTH_SECRET): string {
  return mac(organizationId, t, secret).toString("base64url");
}

/** The result to store, or null when the receipt is missing, forged, for another organization or over an hour old. */
export function verifiedTest(organizationId: string, t: (LastTest & { receipt: string }) | null | undefined, now = new Date(), secret = env().NEXTAUTH_SECRET): LastTest | null {
  if (!t) return null;
  const at = Date.parse(t.at);
  if (!Number.isFinite(at) || at > now.getTime() + 60_000 || now.getTime() - at > MAX_AGE_MS) return null;
  const given = Buffer.from(t.receipt, "base64url");
  const expected = mac(organizationId, t, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { at: t.at, ok: t.ok, status: t.status, title: t.title };
}
