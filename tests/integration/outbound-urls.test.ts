import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction, updateRuleAction } from "@/app/(admin)/rules/actions";
import { testConnectionAction } from "@/app/(admin)/rules/_form/test-connection-action";
import { POST as createRoute, GET as listRoute } from "@/app/api/v1/webhooks/route";
import { GET as getRoute, PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { GET as logsRoute } from "@/app/api/v1/webhooks/[id]/logs/route";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { getDelivery } from "@/lib/delivery/log/queries";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetApiRateLimiter } from "@/lib/api/rate-limit";
import { createApiKey } from "@/lib/api/keys";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { listRules } from "@/lib/rules/list";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { ALLOWED_NETWORKS_CORPUS, CORPUS_DNS, SSRF_CORPUS } from "@/lib/security/ssrf-corpus";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { routeCaller } from "../helpers/api";
import { createTestOrg, createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// Every URL Leadhooks calls, through every place it is entered: the rule form's actions, the
// webhooks API and Test Connection run one check at save; the guarded client runs it at send.
// The SSRF corpus (lib/security/ssrf-corpus.ts) goes through each of them.

const prisma = useTestDatabase();
let acme: Awaited<ReturnType<typeof createTestOrg>>;
let key: string;
let rx: Awaited<ReturnType<typeof startReceiver>>;

function setEnv(vars: { ALLOW_INSECURE_URLS?: string; ALLOWED_PRIVATE_NETWORKS?: string }) {
  for (const name of ["ALLOW_INSECURE_URLS", "ALLOWED_PRIVATE_NETWORKS"] as const) {
    if (vars[name] === undefined) delete process.env[name];
    else process.env[name] = vars[name];
  }
  resetEnvCache();
}

beforeAll(async () => {
  resetApiRateLimiter();
  acme = await createTestOrg(prisma(), "Outbound Co");
  key = (await createApiKey(prisma(), acme.org.id, "outbound")).key;
  rx = await startReceiver();
});
afterEach(() => setEnv({}));
afterAll(async () => {
  setEnv({});
  await rx.close();
});

const call = routeCaller(() => key);
const formInput = (overrides: Partial<RuleInput>): RuleInput => ({ ...emptyRuleInput(), title: "Outbound", url: "https://93.184.216.34/hook", ...overrides });
const apiBody = (overrides: Record<string, unknown>) => ({ title: "Outbound", url: "https://93.184.216.34/hook", events: ["lead.created"], ...overrides });
const window = (alternateUrl: string) => ({ enabled: true, days: [1, 2, 3, 4, 5], start: "09:00", end: "17:00", timezone: "UTC", outside: "alternate" as const, alternateUrl });
const oauth = (tokenUrl: string) => ({ ...emptyAuthForm(), type: "OAUTH2" as const, tokenUrl, clientId: "leadhooks", clientSecret: "client-s3cret" });

async function apiFields(body: Record<string, unknown>): Promise<{ status: number; fields: Record<string, string[]>; text: string }> {
  const res = await call(createRoute, { body: apiBody(body) });
  const text = await res.text();
  return { status: res.status, fields: res.status === 422 ? (JSON.parse(text) as { error: { fields: Record<string, string[]> } }).error.fields : {}, text };
}

// The corpus entries whose host needs no DNS (names under example.test are for injected lookups).
const literal = SSRF_CORPUS.filter((e) => !Object.keys(CORPUS_DNS).some((name) => e.url.includes(name)));

describe("the SSRF corpus at save", () => {
  it.each(literal.map((e) => [`${e.verdict}s ${e.url}`, e] as const))("API POST /webhooks %s", async (_l, entry) => {
    setEnv({ ALLOW_INSECURE_URLS: "true" });
    const res = await apiFields({ url: entry.url });
    if (entry.verdict === "allow") expect(res.status, res.text).toBe(201);
    else expect(res.fields.url, res.text).toEqual([expect.stringMatching(/address|URL/)]);
  });

  it.each(literal.map((e) => [`${e.verdict}s ${e.url}`, e] as const))("rule form %s", async (_l, entry) => {
    setEnv({ ALLOW_INSECURE_URLS: "true" });
    await signInAs(prisma(), acme.admin.id);
    const res = await createRuleAction(formInput({ url: entry.url }));
    if (entry.verdict === "allow") expect(res.ok, JSON.stringify(res)).toBe(true);
    else expect(res).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringMatching(/address|URL/)] } });
  });

  it.each(literal.filter((e) => e.verdict === "block").map((e) => [e.url] as const))("Test Connection refuses %s under the URL field, sending nothing", async (url) => {
    setEnv({ ALLOW_INSECURE_URLS: "true" });
    await signInAs(prisma(), acme.admin.id);
    const res = await testConnectionAction({ values: formInput({ url }) });
    expect(res).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringMatching(/address|URL/)] } });
  });

  it("ALLOWED_PRIVATE_NETWORKS covers an allowed IPv4 range's IPv6 forms, at save as at send", async () => {
    setEnv({ ALLOW_INSECURE_URLS: "true", ALLOWED_PRIVATE_NETWORKS: ALLOWED_NETWORKS_CORPUS.allowedNetworks.join(",") });
    for (const entry of ALLOWED_NETWORKS_CORPUS.entries) {
      const res = await apiFields({ url: entry.url });
      expect(res.status === 201 ? "allow" : "block", `${entry.url}: ${res.text}`).toBe(entry.verdict);
    }
  });
});

describe("the SSRF corpus at send, through the guarded client", () => {
  const lookup = async (host: string) => {
    const answers = CORPUS_DNS[host];
    if (!answers) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
    return answers.map((address) => ({ address, family: (address.includes(":") ? 6 : 4) as 4 | 6 }));
  };

  it("refuses every blocked entry before connecting", async () => {
    const client = new GuardedHttpClient({ policy: { allowedNetworks: [], allowInsecure: true }, lookup });
    try {
      for (const entry of SSRF_CORPUS.filter((e) => e.verdict === "block")) {
        const res = await client.send({ url: entry.url, method: "POST", headers: {}, body: "{}", timeoutMs: 10_000 });
        expect({ url: entry.url, status: res.status, class: res.error?.class }).toEqual({ url: entry.url, status: 999, class: "blocked" });
      }
    } finally {
      await client.destroy();
    }
  });

  it("reaches an allowed loopback receiver through every spelling that leads to it", async () => {
    const port = new URL(rx.url).port;
    const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true }, lookup });
    try {
      for (const base of ["http://127.0.0.1", "http://2130706433", "http://0x7f.1", "http://127.1", "http://localhost.", "http://LOCALHOST"]) {
        const before = rx.received.length;
        const res = await client.send({ url: `${base}:${port}/spelling`, method: "POST", headers: {}, body: base, timeoutMs: 10_000 });
        expect({ base, status: res.status }).toEqual({ base, status: 200 });
        expect(rx.received.slice(before).map((r) => r.body)).toEqual([base]);
      }
      // ::1 is loopback too, but not inside 127.0.0.0/8.
      expect((await client.send({ url: `http://[::1]:${port}/`, method: "POST", headers: {}, timeoutMs: 10_000 })).error?.class).toBe("blocked");
    } finally {
      await client.destroy();
    }
  });
});

describe("every URL field, in the form and the API", () => {
  const badAlternates: [string, RegExp][] = [
    ["javascript:alert(1)", /https:\/\//],
    ["file:///etc/passwd", /https:\/\//],
    ["not a url", /spaces/],
    ["http://93.184.216.34/after-hours", /ALLOW_INSECURE_URLS=true/],
    ["https://93.184.216.34:0/after-hours", /port from 1 to 65535/],
    ["https://93.184.216.34:65536/after-hours", /port from 1 to 65535/],
    ["https://[::169.254.169.254]/latest/meta-data/", /carries 169\.254\.169\.254/],
    ["https://10.0.0.1/after-hours", /private-network address/],
  ];

  it.each(badAlternates)("the API refuses alternateUrl %s under request.timeWindow.alternateUrl", async (alternateUrl, message) => {
    const res = await apiFields({ request: { timeWindow: window(alternateUrl) } });
    expect(Object.keys(res.fields)).toEqual(["request.timeWindow.alternateUrl"]);
    expect(res.fields["request.timeWindow.alternateUrl"]).toEqual([expect.stringMatching(message)]);
  });

  it.each(badAlternates)("the form refuses the Alternate URL %s under timeWindow.alternateUrl", async (alternateUrl, message) => {
    await signInAs(prisma(), acme.admin.id);
    const res = await createRuleAction(formInput({ timeWindow: window(alternateUrl) }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.fieldErrors ?? {})).toEqual(["timeWindow.alternateUrl"]);
    expect(res.fieldErrors!["timeWindow.alternateUrl"]).toEqual([expect.stringMatching(message)]);
  });

  it.each([
    ["http://93.184.216.34/oauth/token", /ALLOW_INSECURE_URLS=true/],
    ["https://169.254.169.254/latest/api/token", /link-local/],
    ["https://[64:ff9b::a00:1]/token", /carries 10\.0\.0\.1/],
    ["https://u:pw@93.184.216.34/token", /Remove the user name and password/],
  ] as const)("the API and the form refuse the token URL %s under its own field", async (tokenUrl, message) => {
    const api = await apiFields({ authentication: oauth(tokenUrl) });
    expect(api.fields).toEqual({ "authentication.tokenUrl": [expect.stringMatching(message)] });
    await signInAs(prisma(), acme.admin.id);
    const form = await createRuleAction(formInput({ auth: oauth(tokenUrl) }));
    expect(form).toMatchObject({ ok: false, fieldErrors: { "auth.tokenUrl": [expect.stringMatching(message)] } });
  });

  it("the form refuses private, loopback and metadata URLs it used to save without a word, on create and on edit", async () => {
    await signInAs(prisma(), acme.admin.id);
    const before = await prisma().webhookRule.count();
    for (const url of ["https://10.0.0.5/hook", "https://127.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "https://[::1]/hook", "https://localhost/hook"]) {
      expect(await createRuleAction(formInput({ url }))).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringMatching(/address|loopback/)] } });
    }
    expect(await prisma().webhookRule.count()).toBe(before);

    const created = await createRuleAction(formInput({}));
    if (!created.ok) throw new Error(created.error);
    const edit = await updateRuleAction({ ruleId: created.data.id, values: formInput({ url: "https://[::ffff:192.168.1.1]/hook" }) });
    expect(edit).toMatchObject({ ok: false, fieldErrors: { url: [expect.stringMatching(/carries 192\.168\.1\.1/)] } });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: created.data.id } })).url).toBe("https://93.184.216.34/hook");
  });

  it("a PATCH that changes a URL field runs the same check", async () => {
    const res = await call(createRoute, { body: apiBody({}) });
    const { id } = (await res.json()) as { id: string };
    const patch = await call(patchRoute, { params: { id }, body: { request: { timeWindow: window("https://[fd00:ec2::254]/latest") } } });
    expect(patch.status).toBe(422);
    expect(((await patch.json()) as { error: { fields: Record<string, string[]> } }).error.fields).toEqual({
      "request.timeWindow.alternateUrl": [expect.stringMatching(/unique-local/)],
    });
  });

  it("no 422 body or form error repeats a password written into a URL", async () => {
    setEnv({ ALLOW_INSECURE_URLS: "true" });
    await signInAs(prisma(), acme.admin.id);
    const urls = ["https://admin:pa55word@93.184.216.34/x", "http://admin:pa55word@10.0.0.1:99999/x", "ftp://admin:pa55word@x/", "https://admin:pa55word@[::1]/x"];
    for (const url of urls) {
      for (const body of [{ url }, { request: { timeWindow: window(url) } }, { authentication: oauth(url) }]) {
        const res = await apiFields(body);
        expect(res.status).toBe(422);
        expect(res.text).not.toContain("pa55word");
      }
      for (const values of [{ url }, { timeWindow: window(url) }, { auth: oauth(url) }]) {
        const form = await createRuleAction(formInput(values));
        expect(form.ok).toBe(false);
        expect(JSON.stringify(form)).not.toContain("pa55word");
      }
    }
  });
});

describe("URLs saved before credentials in URLs were refused", () => {
  it("never show the password again: not in the API's webhook, its list, the edit form or the rule list", async () => {
    const id = newId("rule");
    await prisma().webhookRule.create({
      data: {
        id,
        organizationId: acme.org.id,
        title: "Legacy",
        events: ["lead.created"],
        url: "https://legacy:pa55word@93.184.216.34/hook",
        timeWindow: window("https://legacy:pa55word@93.184.216.34/after-hours"),
        authType: "OAUTH2",
        authConfigEncrypted: encryptAuthConfig({ ...oauth("https://legacy:pa55word@93.184.216.34/token"), grantType: "client_credentials", username: "", password: "" }),
      },
    });
    const one = await call(getRoute, { id });
    const text = await one.text();
    expect(one.status).toBe(200);
    expect(text).not.toContain("pa55word");
    expect(JSON.parse(text)).toMatchObject({
      url: "https://93.184.216.34/hook",
      request: { timeWindow: { alternateUrl: "https://93.184.216.34/after-hours" } },
      authentication: { tokenUrl: "https://93.184.216.34/token" },
    });
    expect(await (await call(listRoute, {})).text()).not.toContain("pa55word");
    expect(JSON.stringify(await getRuleForEdit(prisma(), acme.org.id, id))).not.toContain("pa55word");
    expect(JSON.stringify(await listRules(prisma(), acme.org.id, { q: "Legacy" }))).not.toContain("pa55word");
  });
});

describe("deliveries of a rule whose URL was saved with a password", () => {
  it("never show the password: not in the delivery page's request or attempts, nor in the API's logs", async () => {
    const org = await createWebhookOrg(prisma(), { name: "Legacy Deliveries" });
    const orgKey = (await createApiKey(prisma(), org.org.id, "legacy")).key;
    const asOrg = routeCaller(() => orgKey);
    const id = newId("rule");
    await prisma().webhookRule.create({
      data: { id, organizationId: org.org.id, title: "Legacy", events: ["lead.created"], url: "https://legacy:pa55word@93.184.216.34/hook" },
    });
    const lead = await asOrg(postLead, { body: { email: "legacy@example.test" } });
    expect(lead.status).toBe(201);
    await runDispatcher();
    const delivery = await prisma().delivery.findFirstOrThrow({ where: { ruleId: id }, include: { attempts: true } });
    // The send-time guard refused it (credentials in the URL) before connecting.
    expect(delivery.attempts.length).toBeGreaterThan(0);

    const detail = await getDelivery(prisma(), org.org.id, delivery.id);
    expect(JSON.stringify(detail)).not.toContain("pa55word");
    expect(detail.request.url).toBe("https://93.184.216.34/hook");
    expect(detail.attempts[0]!.requestUrl).toBe("https://93.184.216.34/hook");

    const logs = await asOrg(logsRoute, { id });
    const text = await logs.text();
    expect(logs.status).toBe(200);
    expect(text).not.toContain("pa55word");
    expect(JSON.parse(text)).toMatchObject({ data: [{ url: "https://93.184.216.34/hook", attempts: [{ request: { url: "https://93.184.216.34/hook" } }] }] });
  });
});
