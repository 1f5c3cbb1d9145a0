import type { OutboundResponse } from "@/lib/domain/attempt";
import { describe, expect, it } from "vitest";
import { emptyRequestForm } from "@/lib/rules/form/request";
import { storedResponseRulesSchema } from "@/lib/domain/rule/response";
import { attemptDelivery } from "../delivery/engine/attempt";
import type { GuardedHttpClient } from "../delivery/transport/http-client";
import { DEFAULT_RETRY_POLICY } from "@/lib/domain/rule/retry";
import { testConnection } from "./test-connection";

// A Digest rule whose endpoint answers 401 with a challenge that cannot be answered: the reason
// (no Digest offered, an unsupported qop) reaches the admin, in Test Connection and in the log.

const challenged = (wwwAuthenticate: string) =>
  ({
    send: async (): Promise<OutboundResponse> => ({ status: 401, headers: { "www-authenticate": wwwAuthenticate }, body: "", bodyTruncated: false, durationMs: 1 }),
  }) as unknown as GuardedHttpClient;
const DIGEST = { type: "DIGEST" as const, username: "amy", password: "pw-secret" };
const rules = storedResponseRulesSchema.parse({});

describe("an unanswerable Digest challenge", () => {
  it("is diagnosed as such by Test Connection", async () => {
    const res = await testConnection(
      {
        organization: { id: "org_1", name: "Acme" }, ruleId: null, trigger: "lead.created", url: "https://crm.example.com/h",
        request: emptyRequestForm(), auth: DIGEST, responseRules: rules, timeoutMs: 1000, signatureScheme: "STANDARD", signingSecrets: ["whsec_AAAA"],
      },
      { client: challenged('Digest realm="x", nonce="n", qop="auth-int"') },
    );
    expect(res).toMatchObject({ ok: false, status: 401, title: "401 Unauthorized: the endpoint's Digest challenge cannot be answered" });
    expect(res.detail).toMatch(/qop=auth-int \(only qop=auth is supported\)/);
  });

  it("is the delivery's last error", async () => {
    const result = await attemptDelivery(
      {
        deliveryId: "dlv_1", ruleId: "rule_1", url: "https://crm.example.com/h", method: "POST", headers: {}, body: "{}", timeoutMs: 1000, attemptsMade: 0,
        auth: DIGEST, responseRules: rules, retryPolicy: DEFAULT_RETRY_POLICY, timeWindow: null, signingSecrets: [],
      },
      { client: challenged('Basic realm="x"'), now: () => new Date() },
    );
    expect(result).toMatchObject({ kind: "sent", state: "FAILED", lastError: "The server did not ask for Digest authentication (it offered: basic)" });
  });
});
