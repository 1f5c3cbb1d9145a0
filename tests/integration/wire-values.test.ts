import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction } from "@/app/(admin)/rules/actions";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { resetApiRateLimiter } from "@/lib/api/rate-limit";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { emptyAuthForm, type AuthFormInput } from "@/lib/rules/form/credentials";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

// Issue 9 item 3, at save: every value that ends up in the request line or a header is checked in
// the form and the API alike, with an error on the field that holds it.

const prisma = useTestDatabase();
let t: Awaited<ReturnType<typeof createWebhookOrg>>;
let key: string;
const call = routeCaller(() => key);

beforeAll(async () => {
  process.env.ALLOW_INSECURE_URLS = "true";
  resetEnvCache();
  resetApiRateLimiter();
  t = await createWebhookOrg(prisma(), { name: "Wire Co" });
  key = (await createApiKey(prisma(), t.org.id, "wire")).key;
});
afterAll(() => {
  delete process.env.ALLOW_INSECURE_URLS;
  resetEnvCache();
});

const URL_ = "https://93.184.215.14/hook";
const ruleCount = () => prisma().webhookRule.count({ where: { organizationId: t.org.id } });

/** [case, authentication (API names = form names), the field expected to carry the error, what the message says]. */
const AUTH_CASES: [string, AuthFormInput, string, RegExp][] = [
  ["bearer token with a trailing LF", { type: "BEARER", prefix: "Bearer", token: "tok-123\n" }, "token", /token cannot be sent in an HTTP header: it contains a line break \(LF\)/],
  ["bearer token with CRLF", { type: "BEARER", prefix: "Bearer", token: "tok-123\r\n" }, "token", /line break \(CR\)/],
  ["bearer token with a NUL", { type: "BEARER", prefix: "Bearer", token: "tok\u0000123" }, "token", /NUL/],
  ["bearer token with a trailing space", { type: "BEARER", prefix: "Bearer", token: "tok-123 " }, "token", /ends with a space/],
  ["bearer token with non-ASCII", { type: "BEARER", prefix: "Bearer", token: "tök-123" }, "token", /not ASCII/],
  ["bearer prefix with a line break", { type: "BEARER", prefix: "Bearer\nX", token: "tok-123" }, "prefix", /letters, digits/],
  ["API key value (header) with a trailing LF", { type: "API_KEY", keyName: "X-API-Key", keyValue: "key-123\n", keyIn: "header" }, "keyValue", /key value cannot be sent in an HTTP header: it contains a line break/],
  ["API key value (query) with a tab", { type: "API_KEY", keyName: "api_key", keyValue: "key\t123", keyIn: "query" }, "keyValue", /key value cannot be sent: it contains a tab/],
  ["API key name with a space", { type: "API_KEY", keyName: "X API Key", keyValue: "key-123", keyIn: "header" }, "keyName", /header or query parameter name/],
  ["API key in the signature's header", { type: "API_KEY", keyName: "Webhook-Signature", keyValue: "key-123", keyIn: "header" }, "keyName", /cannot be sent in the Webhook-Signature header: Leadhooks or the HTTP connection sets it/],
  ["API key in an Expect header", { type: "API_KEY", keyName: "Expect", keyValue: "key-123", keyIn: "header" }, "keyName", /cannot be sent in the Expect header/],
  ["Basic password with a trailing CR", { type: "BASIC", username: "crm", password: "pw-123\r" }, "password", /password cannot be sent: it contains a line break \(CR\)/],
  ["Basic username with a colon", { type: "BASIC", username: "crm:admin", password: "pw-123" }, "username", /cannot contain a colon/],
  ["Digest username with an escape character", { type: "DIGEST", username: "crm\u001b", password: "pw-123" }, "username", /control character \(U\+001B\)/],
  ["OAuth client secret with a trailing LF", { type: "OAUTH2", tokenUrl: "https://93.184.215.14/token", clientId: "c-1", clientSecret: "s-123\n" }, "clientSecret", /client secret cannot be sent: it contains a line break/],
  ["OAuth client id with a DEL", { type: "OAUTH2", tokenUrl: "https://93.184.215.14/token", clientId: "c-1\u007f", clientSecret: "s-123" }, "clientId", /DEL/],
  ["OAuth scope with a line break", { type: "OAUTH2", tokenUrl: "https://93.184.215.14/token", clientId: "c-1", clientSecret: "s-123", scope: "a\nb" }, "scope", /scope cannot be sent/],
  ["OAuth password (password grant) with a C1 control", { type: "OAUTH2", tokenUrl: "https://93.184.215.14/token", grantType: "password", clientId: "c-1", clientSecret: "s-123", username: "amy", password: "pw\u0085" }, "password", /control character \(U\+0085\)/],
];

const HEADER_CASES: [string, { name: string; value: string }, string, RegExp][] = [
  ["a header value with a line break", { name: "X-Tenant", value: "acme\r\nX-Injected: 1" }, "value", /cannot be sent in an HTTP header.*line break/],
  ["a header value with a vertical tab", { name: "X-Tenant", value: "acme\u000b" }, "value", /control character \(U\+000B\)/],
  ["a header value beyond Latin-1", { name: "X-Tenant", value: "Zürich 東京" }, "value", /only Latin-1/],
  ["a header undici refuses to send (Upgrade)", { name: "Upgrade", value: "h2c" }, "name", /set by Leadhooks or by the HTTP connection/],
  ["a header undici refuses to send (Expect)", { name: "Expect", value: "100-continue" }, "name", /set by Leadhooks or by the HTTP connection/],
  ["a header name with a colon", { name: "X-Tenant:", value: "acme" }, "name", /valid header name/],
];

describe("the API refuses values that cannot go on the wire, naming the field", () => {
  it.each(AUTH_CASES)("%s", async (_case, authentication, field, message) => {
    const before = await ruleCount();
    const res = await call(createRoute, { body: { title: "Wire", url: URL_, events: ["lead.created"], authentication } });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { fields: Record<string, string[]> } };
    expect(error.fields[`authentication.${field}`]).toEqual([expect.stringMatching(message)]);
    expect(await ruleCount()).toBe(before);
  });

  it.each(HEADER_CASES)("%s", async (_case, header, field, message) => {
    const res = await call(createRoute, { body: { title: "Wire", url: URL_, events: ["lead.created"], request: { headers: [{ name: "X-Fine", value: "café ok" }, header] } } });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { fields: Record<string, string[]> } };
    expect(Object.keys(error.fields)).toEqual([`request.headers.1.${field}`]);
    expect(error.fields[`request.headers.1.${field}`]).toEqual([expect.stringMatching(message)]);
  });

  it("refuses a new bad secret on PATCH too, and accepts the same values without the stray characters", async () => {
    const created = await call(createRoute, { body: { title: "Wire ok", url: URL_, events: ["lead.created"], authentication: { type: "BEARER", token: "tok-123" }, request: { headers: [{ name: "X-Tenant", value: "Zürich\tHQ" }] } } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const patched = await call(patchRoute, { method: "PATCH", id, body: { authentication: { token: "tok-456\n" } } });
    expect(patched.status).toBe(422);
    const { error } = (await patched.json()) as { error: { fields: Record<string, string[]> } };
    expect(Object.keys(error.fields)).toEqual(["authentication.token"]);
  });
});

describe("the rule form refuses them the same way", () => {
  const input = (over: Partial<RuleInput>) => ({ ...emptyRuleInput(), title: "Wire form", url: URL_, ...over }) as RuleInput;

  it.each(AUTH_CASES)("%s", async (_case, auth, field, message) => {
    await signInAs(prisma(), t.admin.id);
    const before = await ruleCount();
    const res = await createRuleAction(input({ auth: { ...emptyAuthForm(), ...auth } as RuleInput["auth"] }));
    expect(res).toMatchObject({ ok: false, fieldErrors: { [`auth.${field}`]: [expect.stringMatching(message)] } });
    expect(await ruleCount()).toBe(before);
  });

  it.each(HEADER_CASES)("%s", async (_case, header, field, message) => {
    await signInAs(prisma(), t.admin.id);
    const res = await createRuleAction(input({ headers: [{ name: "X-Fine", value: "café ok" }, header] }));
    expect(res).toMatchObject({ ok: false, fieldErrors: { [`headers.1.${field}`]: [expect.stringMatching(message)] } });
  });
});
