import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { attemptDiagnosis } from "@/lib/delivery/log/attempt-diagnosis";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { newId } from "@/lib/core/ids";
import { encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import type { AuthConfig } from "@/lib/domain/rule/auth";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// What the dispatcher does with an attempt, end to end against a real receiver: when the next
// attempt comes, and which failures are final.

const prisma = useTestDatabase();
const client = useLoopbackClient();

async function ruleFor(orgId: string, url: string, extra: Record<string, unknown> = {}) {
  return prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "R", events: ["lead.created"], url, ...extra } });
}

/** One lead for the org, one dispatcher batch; the delivery with its attempts. */
async function deliverOnce(orgId: string, via: GuardedHttpClient = client) {
  const { deliveryIds } = await createLead(await sql(), orgId, { email: `${newId("x")}@example.test` });
  const before = Date.now();
  await dispatchBatch({ prisma: prisma(), client: via });
  const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! }, include: { attempts: true } });
  return { delivery, before };
}

describe("Retry-After", () => {
  it.each(["1.5", "-3", "1e3", "2030-01-01T00:00:00Z"])("a 503 with Retry-After %j (not an RFC 9110 value) is retried on the rule's schedule", async (value) => {
    const rx = await startReceiver(() => ({ status: 503, headers: { "retry-after": value }, body: "busy" }));
    const { org } = await createWebhookOrg(prisma());
    await ruleFor(org.id, rx.url);
    const { delivery, before } = await deliverOnce(org.id);
    expect(delivery).toMatchObject({ state: "PENDING", attemptCount: 1, lastStatusCode: 503 });
    // The default schedule's second attempt: 30 s, ±20% jitter.
    const wait = delivery.nextAttemptAt!.getTime() - before;
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(36_000 + (Date.now() - before));
    await rx.close();
  });

  // Found by a tester: a receiver that rate-limits with "Retry-After: 20" on every answer had the
  // default schedule (30 s … 6 h) spent in about 100 s; the deliveries failed, and after 50 of them
  // the rule was disabled. The schedule's waits stand; Retry-After only lengthens one.
  it("a 429 with a Retry-After shorter than the schedule's wait is retried on the schedule, not sooner", async () => {
    const rx = await startReceiver(() => ({ status: 429, headers: { "retry-after": "20" }, body: "slow down" }));
    const { org } = await createWebhookOrg(prisma());
    await ruleFor(org.id, rx.url);
    const first = await deliverOnce(org.id);
    expect(first.delivery).toMatchObject({ state: "PENDING", attemptCount: 1, lastStatusCode: 429 });
    expect(first.delivery.nextAttemptAt!.getTime() - first.before).toBeGreaterThanOrEqual(24_000); // 30 s ±20%, not 20 s
    // The second attempt, made due now: the schedule's next wait is 2 min ±20%.
    await prisma().delivery.update({ where: { id: first.delivery.id }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    const before = Date.now();
    await dispatchBatch({ prisma: prisma(), client });
    const second = await prisma().delivery.findUniqueOrThrow({ where: { id: first.delivery.id } });
    expect(second).toMatchObject({ state: "PENDING", attemptCount: 2, lastStatusCode: 429 });
    expect(second.nextAttemptAt!.getTime() - before).toBeGreaterThanOrEqual(96_000);
    await rx.close();
  });

  it.each([
    ["delay-seconds", (): string => "120", 120_000],
    ["an IMF-fixdate", (): string => new Date(Date.now() + 300_000).toUTCString(), 300_000],
  ] as const)("a 503 with Retry-After as %s is honoured", async (_form, value, expected) => {
    const rx = await startReceiver(() => ({ status: 503, headers: { "retry-after": value() }, body: "busy" }));
    const { org } = await createWebhookOrg(prisma());
    await ruleFor(org.id, rx.url);
    const { delivery, before } = await deliverOnce(org.id);
    const wait = delivery.nextAttemptAt!.getTime() - before;
    expect(wait).toBeGreaterThan(expected - 2_000);
    expect(wait).toBeLessThanOrEqual(expected + (Date.now() - before));
    await rx.close();
  });
});

/** A rule as one saved before the save-time checks existed: written to the table directly. */
const withAuth = (auth: AuthConfig) => ({ authType: auth.type, authConfigEncrypted: encryptAuthConfig(auth) });

describe("a request Leadhooks cannot build is a configuration error: final, named, not an endpoint failure", () => {
  it.each([
    ["a bearer token ending in LF", withAuth({ type: "BEARER", prefix: "Bearer", token: "tok-123\n" }), /^The token cannot be sent in an HTTP header: it contains a line break \(LF\)\. Enter it again on the Authentication tab \(Bearer Token: Token\)$/],
    ["a bearer token ending in CRLF", withAuth({ type: "BEARER", prefix: "Bearer", token: "tok-123\r\n" }), /line break \(CR\).*Authentication tab \(Bearer Token: Token\)/],
    ["an API key header value ending in LF", withAuth({ type: "API_KEY", name: "X-API-Key", value: "key-123\n", in: "header" }), /key value cannot be sent in an HTTP header.*Authentication tab \(API Key: Key value\)/],
    ["an API key name with a space", withAuth({ type: "API_KEY", name: "X API Key", value: "key-123", in: "header" }), /API key name is not a valid header name.*\(API Key: Key name\)/],
    ["a Basic password with a CR", withAuth({ type: "BASIC", username: "crm", password: "pw\r" }), /password cannot be sent: it contains a line break \(CR\).*\(Basic: Password\)/],
    ["an API key in an Expect header", withAuth({ type: "API_KEY", name: "Expect", value: "key-123", in: "header" }), /API key cannot be sent in the Expect header.*\(API Key: Key name\)/],
    ["a custom header value with CRLF", { headers: [{ name: "X-Tenant", value: "acme\r\nX-Injected: 1" }] }, /^The value of the header "x-tenant" cannot be sent: it contains a line break \(CR\)\. Fix it in the rule's custom headers \(Request tab\)$/],
    ["a custom header value beyond Latin-1", { headers: [{ name: "X-City", value: "東京" }] }, /"x-city" cannot be sent: it contains "東".*only Latin-1/],
  ])("%s", async (_case, extra, message) => {
    const rx = await startReceiver();
    // Threshold 1: one endpoint failure would disable the rule.
    const { org } = await createWebhookOrg(prisma(), { autoDisableThreshold: 1 });
    const rule = await ruleFor(org.id, rx.url, extra);
    const { delivery } = await deliverOnce(org.id);
    expect(delivery).toMatchObject({ state: "FAILED", attemptCount: 1, nextAttemptAt: null, lastStatusCode: 999 });
    expect(delivery.lastError).toMatch(message);
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.attempts[0]).toMatchObject({ statusCode: 999, errorClass: "config", errorMessage: delivery.lastError });
    expect(rx.received).toHaveLength(0);
    const diagnosis = attemptDiagnosis({ ...delivery.attempts[0]!, succeeded: false, parsedError: null }, delivery.lastError);
    expect(diagnosis).toMatchObject({ title: "Configuration error: a setting of the rule cannot be sent", detail: expect.stringContaining("not retried") });
    expect(diagnosis!.detail).toContain(delivery.lastError!);
    // Not counted toward the automatic disable: the endpoint never saw the request.
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } })).toMatchObject({ enabled: true, consecutiveFailures: 0 });
    // And never a credential in what is stored.
    expect(JSON.stringify(delivery)).not.toMatch(/tok-123|key-123|pw\\r/);
    await rx.close();
  });
});

it("a stored custom header the HTTP client manages itself (Expect, Upgrade, Keep-Alive) is left out, and the lead is delivered", async () => {
  const rx = await startReceiver();
  const { org } = await createWebhookOrg(prisma());
  await ruleFor(org.id, rx.url, { headers: [{ name: "Expect", value: "100-continue" }, { name: "Upgrade", value: "h2c" }, { name: "Keep-Alive", value: "timeout=5" }, { name: "X-Tenant", value: "acme" }] });
  const { delivery } = await deliverOnce(org.id);
  expect(delivery).toMatchObject({ state: "SUCCEEDED", attemptCount: 1 });
  expect(rx.received[0]!.headers).toMatchObject({ "x-tenant": "acme" });
  expect(rx.received[0]!.headers).not.toHaveProperty("expect");
  expect(rx.received[0]!.headers).not.toHaveProperty("upgrade");
  await rx.close();
});

describe("a destination the SSRF guard refuses at send time", () => {
  it.each([
    ["its host now resolves to a private address", "hooks.partner.test", "10.0.0.7"],
    ["its host now resolves to the metadata address", "hooks.partner.test", "169.254.169.254"],
    ["its host now resolves to an IPv4-mapped loopback outside the allowed range", "hooks.partner.test", "::ffff:127.0.0.1"],
  ])("fails at once, final, with the guard's reason (%s)", async (_case, host, address) => {
    // The org's DNS answer changed after the rule was saved: the guard sees it at connect time.
    const moved = new GuardedHttpClient({
      policy: { allowedNetworks: [], allowInsecure: true },
      lookup: async () => [{ address, family: address.includes(":") ? 6 : 4 }],
    });
    try {
      const { org } = await createWebhookOrg(prisma());
      await ruleFor(org.id, `http://${host}:8080/leads`);
      const { delivery } = await deliverOnce(org.id, moved);
      expect(delivery).toMatchObject({ state: "FAILED", attemptCount: 1, nextAttemptAt: null, lastStatusCode: 999 });
      expect(delivery.lastError).toMatch(/^Blocked: /);
      expect(delivery.attempts[0]).toMatchObject({ errorClass: "blocked" });
      expect(attemptDiagnosis({ ...delivery.attempts[0]!, succeeded: false, parsedError: null }, delivery.lastError)!.title).toMatch(/^Blocked/);
    } finally {
      await moved.destroy();
    }
  });

  it("an OAuth token URL the guard refuses fails the delivery at once too", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    await ruleFor(org.id, rx.url, withAuth({ type: "OAUTH2", tokenUrl: "http://169.254.169.254/token", grantType: "client_credentials", clientId: "c", clientSecret: "s-123", username: "", password: "", scope: "", audience: "", clientAuth: "basic" }));
    const { delivery } = await deliverOnce(org.id);
    expect(delivery).toMatchObject({ state: "FAILED", attemptCount: 1, nextAttemptAt: null });
    expect(delivery.lastError).toMatch(/Blocked: /);
    expect(rx.received).toHaveLength(0);
    await rx.close();
  });

  it("a DNS failure is still retried (it may be transient)", async () => {
    const flaky = new GuardedHttpClient({
      policy: { allowedNetworks: [], allowInsecure: true },
      lookup: async () => {
        throw Object.assign(new Error("getaddrinfo EAI_AGAIN"), { code: "EAI_AGAIN" });
      },
    });
    try {
      const { org } = await createWebhookOrg(prisma());
      await ruleFor(org.id, "http://hooks.partner.test/leads");
      const { delivery } = await deliverOnce(org.id, flaky);
      expect(delivery).toMatchObject({ state: "PENDING", attemptCount: 1 });
    } finally {
      await flaky.destroy();
    }
  });
});
