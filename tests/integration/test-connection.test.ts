import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction } from "@/app/(admin)/rules/actions";
import { previewRequestAction } from "@/app/(admin)/rules/_form/preview-action";
import { testConnectionAction } from "@/app/(admin)/rules/_form/test-connection-action";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { allowLoopbackDestinations } from "../helpers/loopback-client";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// Test Connection and the live preview, through their server actions, against real receivers.

const prisma = useTestDatabase();
let acme: Awaited<ReturnType<typeof createTestOrg>>;
let other: Awaited<ReturnType<typeof createTestOrg>>;
const closers: (() => Promise<void>)[] = [];

allowLoopbackDestinations(); // the form checks destinations: the receivers are on loopback
beforeAll(async () => {
  acme = await createTestOrg(prisma(), "Acme");
  other = await createTestOrg(prisma(), "Other");
});
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const rx = await startReceiver(...args);
  closers.push(rx.close);
  return rx;
}

const values = (overrides: Partial<RuleInput>): RuleInput => ({ ...emptyRuleInput(), title: "CRM", url: "https://crm.example.com/h", ...overrides });

describe("testConnectionAction", () => {
  it("sends the sample lead with the form's mapping, marked as a test, and reports success", async () => {
    const rx = await receiver(() => ({ status: 201, body: '{"accepted":true}' }));
    await signInAs(prisma(), acme.admin.id);
    const res = await testConnectionAction({
      values: values({
        url: `${rx.url}/leads`,
        payloadFormat: "FORM",
        mappingMode: "custom",
        fieldMappings: [{ target: "email", source: "field", value: "lead.email", defaultValue: "", trim: false, digitsOnly: false, case: "none", dateFormat: "" }],
      }),
    });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data).toMatchObject({ ok: true, status: 201, responseExcerpt: '{"accepted":true}' });
    expect(res.data.title).toMatch(/connected/i);
    const req = rx.received[0]!;
    expect(req.headers["leadhooks-test"]).toBe("true");
    expect(req.headers["webhook-signature"]).toMatch(/^v1,/);
    expect(req.body).toMatch(/^email=[^&]+%40/);
  });

  it("keeps a test run before the first save on the created rule, only with the receipt the server gave", async () => {
    const rx = await receiver();
    await signInAs(prisma(), acme.admin.id);
    const form = values({ url: `${rx.url}/new` });
    const res = await testConnectionAction({ values: form });
    if (!res.ok) throw new Error(res.error);
    const { testedAt, ok, status, title, receipt } = res.data;
    expect(receipt).toBeTruthy();
    const test = { at: testedAt, ok, status, title, receipt: receipt! };

    const created = await createRuleAction(form, test);
    if (!created.ok) throw new Error(created.error);
    expect((await getRuleForEdit(prisma(), acme.org.id, created.data.id)).lastTest).toEqual({ at: testedAt, ok: true, status: 200, title });

    // A result the browser changed is not kept.
    const forged = await createRuleAction(form, { ...test, ok: true, status: 201 });
    if (!forged.ok) throw new Error(forged.error);
    expect((await getRuleForEdit(prisma(), acme.org.id, forged.data.id)).lastTest).toBeNull();
  });

  it("explains a 401 and a 403 in plain language, and records the last test on a saved rule", async () => {
    const rx = await receiver((req) => (req.path === "/forbidden" ? { status: 403, body: "no scope" } : { status: 401, body: "bad credentials" }));
    await signInAs(prisma(), acme.admin.id);
    const created = await createRuleAction(values({ url: `${rx.url}/denied`, auth: { ...emptyAuthForm(), type: "BEARER", prefix: "Bearer", token: "t0ken" } }));
    if (!created.ok) throw new Error(created.error);
    const ruleId = created.data.id;
    const edit = await getRuleForEdit(prisma(), acme.org.id, ruleId);
    expect(edit.lastTest).toBeNull();

    // The saved token stands in for the blank field.
    const unauthorized = await testConnectionAction({ ruleId, values: edit.values });
    expect(unauthorized).toMatchObject({ ok: true, data: { ok: false, status: 401, title: "401 Unauthorized: verify the credentials" } });
    expect(rx.received.at(-1)!.headers.authorization).toBe("Bearer t0ken");
    expect((await getRuleForEdit(prisma(), acme.org.id, ruleId)).lastTest).toMatchObject({ ok: false, status: 401 });

    const forbidden = await testConnectionAction({ ruleId, values: { ...edit.values, url: `${rx.url}/forbidden` } });
    expect(forbidden).toMatchObject({ ok: true, data: { ok: false, status: 403, title: "403 Forbidden: check the token's permissions/scopes" } });
  });

  it("reports a failing OAuth token request with the token endpoint's error", async () => {
    const tokenEndpoint = await receiver(() => ({ status: 401, headers: { "content-type": "application/json" }, body: '{"error":"invalid_client","error_description":"Unknown client"}' }));
    const api = await receiver();
    await signInAs(prisma(), acme.admin.id);
    const res = await testConnectionAction({
      values: values({
        url: api.url,
        auth: { ...emptyAuthForm(), type: "OAUTH2", tokenUrl: `${tokenEndpoint.url}/oauth/token`, clientId: "leadhooks", clientSecret: "wrong" },
      }),
    });
    expect(res).toMatchObject({ ok: true, data: { ok: false, title: "OAuth token request failed: check the Token URL and Grant Type" } });
    if (res.ok) expect(res.data.detail).toMatch(/invalid_client/);
    expect(api.received).toHaveLength(0);
  });

  it("names the blocked address, refuses viewers, and hides another organization's rule", async () => {
    await signInAs(prisma(), acme.admin.id);
    // The same destination check as Save: a field error under the URL, nothing sent.
    const blocked = await testConnectionAction({ values: values({ url: "https://169.254.169.254/latest/meta-data" }) });
    expect(blocked).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringMatching(/^169\.254\.169\.254 is a link-local \(cloud metadata\) address/)] } });
    const embedded = await testConnectionAction({ values: values({ url: "https://[::169.254.169.254]/latest/meta-data" }) });
    expect(embedded).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringMatching(/carries 169\.254\.169\.254/)] } });
    const token = await testConnectionAction({ values: values({ auth: { ...emptyAuthForm(), type: "OAUTH2", tokenUrl: "https://[::ffff:a9fe:a9fe]/token", clientId: "c", clientSecret: "s" } }) });
    expect(token).toMatchObject({ ok: false, fieldErrors: { "auth.tokenUrl": [expect.stringMatching(/carries 169\.254\.169\.254/)] } });

    await signInAs(prisma(), acme.viewer.id);
    expect(await testConnectionAction({ values: values({}) })).toMatchObject({ ok: false, code: "forbidden" });

    await signInAs(prisma(), other.admin.id);
    const theirs = await createRuleAction(values({}));
    if (!theirs.ok) throw new Error(theirs.error);
    await signInAs(prisma(), acme.admin.id);
    expect(await testConnectionAction({ ruleId: theirs.data.id, values: values({}) })).toMatchObject({ ok: false, code: "not_found" });
  });
});

describe("previewRequestAction", () => {
  it("renders the request for the sample lead with credentials masked", async () => {
    await signInAs(prisma(), acme.viewer.id);
    const res = await previewRequestAction({
      values: values({ payloadFormat: "TEMPLATE", payloadTemplate: "{{ lead.email }}|{{ lead.lastName }}", auth: { ...emptyAuthForm(), type: "API_KEY", keyName: "api_key", keyIn: "query", keyValue: "secret-value" } }),
    });
    expect(res.ok).toBe(true);
    if (!res.ok || !res.data.ok) throw new Error(JSON.stringify(res));
    expect(res.data.url).toMatch(/^https:\/\/crm\.example\.com\/h\?api_key=/);
    expect(res.data.body).toMatch(/^[^|]+@[^|]+\|\S+$/);
    expect(JSON.stringify(res.data)).not.toContain("secret-value");
  });

  it("reports a template error instead of a preview", async () => {
    await signInAs(prisma(), acme.admin.id);
    const res = await previewRequestAction({ values: values({ payloadFormat: "XML", payloadTemplate: "<a>{{ lead.email | nope }}</a>" }) });
    expect(res).toMatchObject({ ok: true, data: { ok: false } });
  });

  it("answers nobody who is signed out", async () => {
    await signInAs(prisma(), null);
    expect(await previewRequestAction({ values: values({}) })).toMatchObject({ ok: false, code: "unauthenticated" });
  });
});
