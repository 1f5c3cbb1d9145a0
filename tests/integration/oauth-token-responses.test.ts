import { sql } from "@/lib/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testConnectionAction } from "@/app/(admin)/rules/_form/test-connection-action";
import { attemptDiagnosis } from "@/lib/delivery/log/attempt-diagnosis";
import { sendAuthenticated, TokenCache } from "@/lib/delivery/transport/auth";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { startTokenVariantServer, type TokenAnswerSpec } from "../helpers/auth-servers";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient, allowLoopbackDestinations } from "../helpers/loopback-client";
import { signInAs } from "../helpers/session";

// Issue 9 item 12: token endpoints in the wild answer a little differently from RFC 6749. A real
// token server on loopback answers each way; the client either gets a token it can use (and the
// protected resource accepts it) or a diagnosis naming the field at fault.

const prisma = useTestDatabase();
const client = useLoopbackClient();
const CLIENT = { id: "wild-client", secret: "wild-secret-42" };
let as: Awaited<ReturnType<typeof startTokenVariantServer>>;

allowLoopbackDestinations(); // the form checks destinations: the receivers are on loopback
beforeAll(async () => {
  as = await startTokenVariantServer({ client: CLIENT, answer: { body: () => "{}" } });
});
afterAll(async () => {
  await as.close();
});

const config = (): Extract<AuthConfig, { type: "OAUTH2" }> => ({
  type: "OAUTH2", tokenUrl: as.tokenUrl, grantType: "client_credentials", clientId: CLIENT.id, clientSecret: CLIENT.secret, username: "", password: "", scope: "leads", audience: "", clientAuth: "basic",
});
const post = () => ({ url: as.resourceUrl, method: "POST", headers: { "content-type": "application/json" }, body: "{}", timeoutMs: 5000 });
const JSON_CT = { "content-type": "application/json" };
const json = (o: Record<string, unknown>) => (token: string) => JSON.stringify({ access_token: token, ...o });

const ACCEPTED: [string, TokenAnswerSpec][] = [
  ["token_type in lower case", { headers: JSON_CT, body: json({ token_type: "bearer", expires_in: 3600 }) }],
  ["token_type in upper case", { headers: JSON_CT, body: json({ token_type: "BEARER", expires_in: 3600 }) }],
  ["no token_type", { headers: JSON_CT, body: json({ expires_in: 3600 }) }],
  ["token_type null", { headers: JSON_CT, body: json({ token_type: null }) }],
  ["expires_in as a string", { headers: JSON_CT, body: json({ token_type: "Bearer", expires_in: "3600" }) }],
  ["expires_in null", { headers: JSON_CT, body: json({ token_type: "Bearer", expires_in: null }) }],
  ["Content-Type with a charset", { headers: { "content-type": "application/json; charset=utf-8" }, body: json({ token_type: "Bearer" }) }],
  ["a JSON body labelled text/plain", { headers: { "content-type": "text/plain" }, body: json({ token_type: "Bearer" }) }],
  ["a JSON body labelled text/javascript", { headers: { "content-type": "text/javascript; charset=UTF-8" }, body: json({ token_type: "Bearer" }) }],
  ["a JSON body with no Content-Type", { body: json({ token_type: "Bearer" }) }],
  ["201 Created instead of 200", { status: 201, headers: JSON_CT, body: json({ token_type: "Bearer" }) }],
  ["scope as an array, and extra fields", { headers: JSON_CT, body: json({ token_type: "Bearer", scope: ["leads", "read"], ext_expires_in: 3599, refresh_token: "r-1", id_token: null, "not-before-policy": 0 }) }],
  ["a byte order mark and whitespace around the JSON", { headers: JSON_CT, body: (t) => `\uFEFF\n  ${json({ token_type: "Bearer" })(t)}\n` }],
  ["a form-encoded answer (GitHub's default)", { headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body: (t) => `access_token=${t}&scope=leads&token_type=bearer` }],
];

const REFUSED: [string, TokenAnswerSpec, RegExp][] = [
  ["no access_token", { headers: JSON_CT, body: () => '{"token":"abc","token_type":"Bearer"}' }, /the token response has no "access_token" field \(it has: "token", "token_type"\); expected a JSON object with "access_token" and "token_type": "Bearer"/],
  ["access_token nested in data", { headers: JSON_CT, body: (t) => JSON.stringify({ data: { access_token: t } }) }, /no "access_token" field \(it has: "data"\)/],
  ["access_token as a number", { headers: JSON_CT, body: () => '{"access_token":12345,"token_type":"Bearer"}' }, /"access_token" in the token response is a number; expected a non-empty string/],
  ["access_token empty", { headers: JSON_CT, body: () => '{"access_token":"","token_type":"Bearer"}' }, /"access_token" in the token response is empty/],
  ["access_token with a line break", { headers: JSON_CT, body: (t) => JSON.stringify({ access_token: `${t}\n`, token_type: "Bearer" }) }, /"access_token" in the token response contains a line break \(LF\), so it cannot be sent in an Authorization header/],
  ["token_type mac", { headers: JSON_CT, body: json({ token_type: "mac", mac_key: "k", mac_algorithm: "hmac-sha-256" }) }, /"token_type" in the token response is "mac"; only "Bearer" tokens can be sent/],
  ["token_type DPoP", { headers: JSON_CT, body: json({ token_type: "DPoP" }) }, /"token_type" in the token response is "DPoP"; only "Bearer" tokens can be sent/],
  ["token_type as a number", { headers: JSON_CT, body: json({ token_type: 1 }) }, /"token_type" in the token response is a number; expected "Bearer"/],
  ["an HTML page (a login page or a proxy's)", { headers: { "content-type": "text/html; charset=utf-8" }, body: () => "<!DOCTYPE html><html><body>Sign in</body></html>" }, /answered 200 with an HTML page \(Content-Type: text\/html; charset=utf-8\), not a token response: check the Token URL/],
  ["a JSON array", { headers: JSON_CT, body: (t) => JSON.stringify([{ access_token: t }]) }, /the token endpoint answered with an array; expected a JSON object/],
  ["an empty 200", { headers: JSON_CT, body: () => "" }, /answered 200 with an empty body/],
  ["text that is not JSON", { headers: { "content-type": "text/plain" }, body: () => "OK" }, /answer \(Content-Type: text\/plain\) is not JSON/],
  ["an OAuth error with 200", { headers: JSON_CT, body: () => '{"error":"invalid_scope","error_description":"scope leads is not allowed"}' }, /^invalid_scope: scope leads is not allowed$/],
  ["an OAuth error with 400", { status: 400, headers: JSON_CT, body: () => '{"error":"unauthorized_client"}' }, /^unauthorized_client$/],
];

describe("token responses that differ from RFC 6749 but leave no doubt", () => {
  it.each(ACCEPTED)("%s: a token is issued, sent as Bearer, and accepted", async (_case, answer) => {
    as.setAnswer(answer);
    const res = await sendAuthenticated(client, post(), config(), { cacheKey: newId("r"), tokenCache: new TokenCache() });
    expect(res.authError).toBeUndefined();
    expect(res).toMatchObject({ status: 200, body: '{"accepted":true}' });
    expect(as.received.at(-1)!.headers.authorization).toBe(`Bearer ${as.issuedTokens().at(-1)}`);
  });

  it("expires_in as a string sets the token's lifetime (held for the hour, not the 5-minute default)", async () => {
    as.setAnswer({ headers: JSON_CT, body: json({ token_type: "bearer", expires_in: "3600" }) });
    let clock = Date.now();
    const opts = { cacheKey: newId("r"), tokenCache: new TokenCache(), now: () => clock };
    const before = as.tokenRequests();
    await sendAuthenticated(client, post(), config(), opts);
    clock += 3_000_000; // 50 min
    expect((await sendAuthenticated(client, post(), config(), opts)).status).toBe(200);
    expect(as.tokenRequests() - before).toBe(1);
  });
});

describe("token responses that cannot be used name the field and what was expected", () => {
  it.each(REFUSED)("%s", async (_case, answer, message) => {
    as.setAnswer(answer);
    const hits = as.received.filter((r) => r.url === "/resource").length;
    const res = await sendAuthenticated(client, post(), config(), { cacheKey: newId("r"), tokenCache: new TokenCache() });
    expect(res).toMatchObject({ status: 999, error: { class: "auth" }, authError: { kind: "oauth_token", message: expect.stringMatching(message) } });
    expect(as.received.filter((r) => r.url === "/resource").length).toBe(hits); // nothing sent with it
    // No issued token in what is reported (the answer's excerpt has it redacted).
    for (const token of as.issuedTokens()) expect(JSON.stringify({ e: res.error, a: res.authError })).not.toContain(token);
  });

  it("in Test Connection", async () => {
    as.setAnswer({ headers: JSON_CT, body: json({ token_type: "DPoP" }) });
    const { admin } = await createWebhookOrg(prisma());
    await signInAs(prisma(), admin.id);
    const res = await testConnectionAction({
      values: {
        ...emptyRuleInput(), title: "Wild", url: as.resourceUrl,
        auth: { ...emptyAuthForm(), type: "OAUTH2", tokenUrl: as.tokenUrl, clientId: CLIENT.id, clientSecret: CLIENT.secret, scope: "leads" },
      } as RuleInput,
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data).toMatchObject({ ok: false, status: 999, title: "OAuth token request failed: check the Token URL and Grant Type" });
    expect(res.data.detail).toMatch(/"token_type" in the token response is "DPoP"; only "Bearer" tokens can be sent/);
  });

  it("in the delivery log", async () => {
    as.setAnswer({ headers: JSON_CT, body: () => '{"token":"abc"}' });
    const { org } = await createWebhookOrg(prisma());
    await prisma().webhookRule.create({
      data: { id: newId("rule"), organizationId: org.id, title: "Wild", events: ["lead.created"], url: as.resourceUrl, authType: "OAUTH2", authConfigEncrypted: encryptAuthConfig(config()) },
    });
    const { deliveryIds } = await createLead(await sql(), org.id, { email: "wild@example.test" });
    await dispatchBatch({ prisma: prisma(), client });
    const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! }, include: { attempts: true } });
    const attempt = delivery.attempts[0]!;
    expect(attempt).toMatchObject({ statusCode: 999, errorClass: "auth", errorMessage: expect.stringMatching(/the token response has no "access_token" field \(it has: "token"\)/) });
    const diagnosis = attemptDiagnosis({ ...attempt, succeeded: false, parsedError: null }, delivery.lastError);
    expect(diagnosis!.title).toBe("OAuth token request failed: check the Token URL and Grant Type");
    expect(diagnosis!.detail).toMatch(/no "access_token" field/);
  });
});
