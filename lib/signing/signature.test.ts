import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateSigningSecret } from "@/lib/signing/organization-keys";
import { hmacHexHeaders, secretBytes, signatureHeaders, signaturePreviewHeaders, standardWebhookHeaders } from "./signature";

describe("Standard Webhooks signature", () => {
  const body = JSON.stringify({ id: "evt_1", type: "lead.created", data: { lead: { email: "a@b.test" } } });

  it("verifies with the standardwebhooks package a receiver would use", () => {
    const secret = generateSigningSecret();
    const headers = standardWebhookHeaders({ id: "dlv_123", body, secrets: [secret] });
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it("signs with both keys during a rotation, so either verifies", () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const headers = standardWebhookHeaders({ id: "dlv_9", body, secrets: [current, previous] });
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(() => new Webhook(current).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify(body, headers)).toThrow();
  });

  it("fails verification when the body or the timestamp changes", () => {
    const secret = generateSigningSecret();
    const headers = standardWebhookHeaders({ id: "dlv_1", body, secrets: [secret] });
    expect(() => new Webhook(secret).verify(body.replace("a@b", "x@b"), headers)).toThrow();
    const old = standardWebhookHeaders({ id: "dlv_1", body, secrets: [secret], now: new Date(Date.now() - 10 * 60_000) });
    expect(() => new Webhook(secret).verify(body, old)).toThrow(/timestamp/i);
  });
});

describe("HMAC hex signature", () => {
  it("is sha256=<hex HMAC of the raw body> with the key bytes", () => {
    const secret = generateSigningSecret();
    const headers = hmacHexHeaders({ id: "dlv_2", body: "{\"a\":1}", secrets: [secret], now: new Date("2026-11-23T12:00:00Z") });
    const expected = createHmac("sha256", secretBytes(secret)).update("{\"a\":1}").digest("hex");
    expect(headers).toEqual({
      "X-Leadhooks-Delivery-Id": "dlv_2",
      "X-Leadhooks-Timestamp": "2026-11-23T12:00:00.000Z",
      "X-Leadhooks-Signature": `sha256=${expected}`,
    });
  });
});

describe("signatureHeaders", () => {
  const input = { id: "dlv_3", body: "{}", secrets: [generateSigningSecret()], now: new Date("2026-11-23T12:00:00Z") };

  it("signs with the scheme it is given", () => {
    expect(signatureHeaders("STANDARD", input)).toEqual(standardWebhookHeaders(input));
    expect(signatureHeaders("HMAC_HEX", input)).toEqual(hmacHexHeaders(input));
  });

  it("previews the same header names as the scheme sends, with placeholders", () => {
    for (const scheme of ["STANDARD", "HMAC_HEX"] as const) {
      const preview = signaturePreviewHeaders(scheme, "***");
      expect(preview.map(([name]) => name)).toEqual(Object.keys(signatureHeaders(scheme, input)).map((n) => n.toLowerCase()));
      expect(preview.at(-1)![1]).toMatch(/\*\*\*$/);
    }
  });
});
