import { sql } from "@/lib/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConnectionAction } from "@/app/(admin)/rules/_form/test-connection-action";
import { GET as logsRoute } from "@/app/api/v1/webhooks/[id]/logs/route";
import { attemptDiagnosis } from "@/lib/delivery/log/attempt-diagnosis";
import { resetApiRateLimiter } from "@/lib/api/rate-limit";
import { createApiKey } from "@/lib/api/keys";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { MAX_RESPONSE_BYTES } from "@/lib/delivery/transport/http-client";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { getSigningKeys, rotateSigningKey } from "@/lib/signing/organization-keys";
import { encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { routeCaller } from "../helpers/api";
import { startOAuthServer } from "../helpers/auth-servers";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient, allowLoopbackDestinations } from "../helpers/loopback-client";
import { type Received, startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// Issue 9 item 5: a receiver that echoes the request (a debugging endpoint, a proxy's error page)
// must not put the rule's secrets in the stored attempt, the delivery's last error, the API's
// delivery logs, the delivery page's diagnosis or Test Connection's excerpt, in any of the forms
// such endpoints echo them in.

const prisma = useTestDatabase();
const client = useLoopbackClient();
let t: Awaited<ReturnType<typeof createWebhookOrg>>;
let key: string;
const call = routeCaller(() => key);
const closers: (() => Promise<void>)[] = [];

allowLoopbackDestinations(); // the form checks destinations: the receivers are on loopback
beforeAll(async () => {
  resetApiRateLimiter();
  t = await createWebhookOrg(prisma(), { name: "Echo Co" });
  key = (await createApiKey(prisma(), t.org.id, "echo")).key;
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

/** Everything a careless debugging endpoint sends back: headers and URL as JSON (also PHP-style "\/"), URL-encoded, as HTML, and in its own response headers. */
function echo(req: Received, extra = "") {
  const seen = { path: req.path, headers: req.headers };
  const json = JSON.stringify(seen);
  const auth = String(req.headers.authorization ?? req.headers["x-partner-key"] ?? "");
  const body = [
    json,
    json.replace(/\//g, "\\/"),
    `auth=${encodeURIComponent(auth)}&form=${new URLSearchParams([["a", auth]]).toString()}`,
    `<pre>${auth.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</pre>`, // PHP's htmlspecialchars before 8.1
    extra,
  ].join("\n");
  return { status: 500, body, headers: { "content-type": "text/plain", "x-echo-authorization": auth, "x-echo-url": req.path } };
}

async function receiver(respond: Parameters<typeof startReceiver>[0]) {
  const rx = await startReceiver(respond);
  closers.push(rx.close);
  return rx;
}

/** Every place the attempt is shown or kept: the delivery row, its attempts, the API's logs, the page's diagnosis. */
async function everythingShown(ruleId: string, deliveryId: string) {
  const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryId }, include: { attempts: true } });
  const logs = await (await call(logsRoute, { id: ruleId })).text();
  const diagnoses = delivery.attempts.map((a) => attemptDiagnosis({ ...a, succeeded: false, parsedError: null }, delivery.lastError));
  return { delivery, text: JSON.stringify({ delivery, logs, diagnoses }) };
}

async function deliverTo(url: string, auth: AuthConfig, extra: Record<string, unknown> = {}) {
  const rule = await prisma().webhookRule.create({
    data: { id: newId("rule"), organizationId: t.org.id, title: "Echo", events: ["lead.created"], url, authType: auth.type, authConfigEncrypted: encryptAuthConfig(auth), ...extra },
  });
  const { deliveryIds } = await createLead(await sql(), t.org.id, { email: `${newId("e")}@example.test` });
  await dispatchBatch({ prisma: prisma(), client });
  await prisma().webhookRule.update({ where: { id: rule.id }, data: { enabled: false } });
  return { ruleId: rule.id, deliveryId: deliveryIds[0]! };
}

const forms = (s: string) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1), s.replace(/\//g, "\\/")];
const expectNone = (text: string, secrets: string[]) => {
  for (const s of secrets) expect(text, `leaks ${s}`).not.toContain(s);
};

describe("the dispatcher's attempt", () => {
  it("a bearer token echoed in the body (as JSON, \\/-escaped, URL-encoded, HTML) and in response headers", async () => {
    const token = "tok/Ab+9=&<x>";
    const rx = await receiver((req) => echo(req));
    const { ruleId, deliveryId } = await deliverTo(`${rx.url}/debug`, { type: "BEARER", prefix: "Bearer", token });
    expect(rx.received[0]!.headers.authorization).toBe(`Bearer ${token}`); // it was sent, and echoed
    const { delivery, text } = await everythingShown(ruleId, deliveryId);
    expect(delivery.attempts[0]!.responseBody).toContain("[redacted]");
    expect((delivery.attempts[0]!.responseHeaders as Record<string, string>)["x-echo-authorization"]).toBe("[redacted]");
    expectNone(text, [token, encodeURIComponent(token), token.replace(/\//g, "\\/"), "tok/Ab+9=&amp;&lt;x&gt;", new URLSearchParams([["a", token]]).toString().slice(2)]);
  });

  it("Basic: the base64 of user:pass and the password", async () => {
    const rx = await receiver((req) => echo(req, `password was pa55-w0rd/ok`));
    const { ruleId, deliveryId } = await deliverTo(rx.url, { type: "BASIC", username: "crm", password: "pa55-w0rd/ok" });
    const { text } = await everythingShown(ruleId, deliveryId);
    expectNone(text, [...forms("pa55-w0rd/ok"), Buffer.from("crm:pa55-w0rd/ok").toString("base64")]);
  });

  it("an API key in the query, echoed with the URL, and an API key header", async () => {
    const rx = await receiver((req) => echo(req));
    const q = await deliverTo(`${rx.url}/q?src=web`, { type: "API_KEY", name: "api_key", value: "qk 1/2+3", in: "query" });
    expectNone((await everythingShown(q.ruleId, q.deliveryId)).text, forms("qk 1/2+3").concat(new URLSearchParams([["a", "qk 1/2+3"]]).toString().slice(2)));
    const h = await deliverTo(rx.url, { type: "API_KEY", name: "X-Partner-Key", value: "hk-77/zz", in: "header" });
    expectNone((await everythingShown(h.ruleId, h.deliveryId)).text, forms("hk-77/zz"));
  });

  it("the OAuth access token fetched for the request, and the client secret", async () => {
    const as = await startOAuthServer({ client: { id: "echo-client", secret: "echo-secret-1" }, user: { username: "u", password: "p" } });
    closers.push(as.close);
    const rx = await receiver((req) => echo(req, "client secret echo-secret-1"));
    const { ruleId, deliveryId } = await deliverTo(rx.url, {
      type: "OAUTH2", tokenUrl: as.tokenUrl, grantType: "client_credentials", clientId: "echo-client", clientSecret: "echo-secret-1", username: "", password: "", scope: "", audience: "", clientAuth: "basic",
    });
    const tokens = as.issuedTokens();
    expect(tokens).toHaveLength(1);
    expect(rx.received[0]!.headers.authorization).toBe(`Bearer ${tokens[0]}`);
    expectNone((await everythingShown(ruleId, deliveryId)).text, [...tokens.flatMap(forms), ...forms("echo-secret-1")]);
  });

  it("the signing secrets, the previous one during a rotation too", async () => {
    const previous = (await getSigningKeys(prisma(), t.org.id)).current.secret;
    await rotateSigningKey(prisma(), t.org.id);
    const current = (await getSigningKeys(prisma(), t.org.id)).current.secret;
    const rx = await receiver((req) => echo(req, `expected a signature with ${current} or ${previous.replace(/^whsec_/, "")}`));
    const { ruleId, deliveryId } = await deliverTo(rx.url, { type: "NONE" });
    expectNone((await everythingShown(ruleId, deliveryId)).text, [current, previous, current.replace(/^whsec_/, ""), previous.replace(/^whsec_/, "")]);
  });

  it("a token cut in two where the body reaches the size cap leaves no part of it", async () => {
    const token = "cut-token-0123456789abcdef";
    const rx = await receiver((req) => ({ status: 500, body: `${"x".repeat(MAX_RESPONSE_BYTES - 10)}${req.headers.authorization}` }));
    const { ruleId, deliveryId } = await deliverTo(rx.url, { type: "BEARER", prefix: "Bearer", token });
    const { delivery, text } = await everythingShown(ruleId, deliveryId);
    expect(delivery.attempts[0]!.bodyTruncated).toBe(true);
    expect(delivery.attempts[0]!.responseBody.endsWith("[redacted]")).toBe(true);
    expectNone(text, ["Bearer cu", "cut-tok"]);
  });
});

describe("Test Connection", () => {
  it("shows the echoed token nowhere in its excerpt or detail", async () => {
    const token = "tc-token/9+9=";
    const rx = await receiver((req) => echo(req));
    await signInAs(prisma(), t.admin.id);
    const res = await testConnectionAction({
      values: { ...emptyRuleInput(), title: "Echo", url: `${rx.url}/debug`, auth: { ...emptyAuthForm(), type: "BEARER", prefix: "Bearer", token } } as RuleInput,
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(rx.received[0]!.headers.authorization).toBe(`Bearer ${token}`);
    expect(res.data.responseExcerpt).toContain("[redacted]");
    expectNone(JSON.stringify(res.data), forms(token));
  });
});
