import { sql } from "@/lib/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction, updateRuleAction } from "@/app/(admin)/rules/actions";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { createLead } from "@/lib/leads/mutations";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import type { FieldMapping } from "@/lib/domain/rule/request";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { allowLoopbackDestinations } from "../helpers/loopback-client";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// Issue 4 end to end: a rule saved through the form's action, a lead recorded, the dispatcher
// sending to a real receiver. What the receiver gets is compared byte for byte.

const prisma = useTestDatabase();
const client = new GuardedHttpClient({ policy: { allowedNetworks: ["127.0.0.0/8"], allowInsecure: true } });
let t: Awaited<ReturnType<typeof createTestOrg>>;
const receivers: { close: () => Promise<void> }[] = [];

allowLoopbackDestinations(); // the form checks destinations: the receivers are on loopback
beforeAll(async () => {
  t = await createTestOrg(prisma(), "Endpoint Co");
  await prisma().organization.update({ where: { id: t.org.id }, data: { webhooksEnabled: true } });
});
afterEach(async () => {
  // Each test's rules would otherwise also receive the next test's leads.
  await prisma().webhookRule.updateMany({ where: { organizationId: t.org.id }, data: { enabled: false } });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await client.destroy();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const rx = await startReceiver(...args);
  receivers.push(rx);
  return rx;
}

const map = (target: string, value: string, extra: Partial<FieldMapping> = {}): FieldMapping => ({
  target, source: "field", value, defaultValue: "", trim: false, digitsOnly: false, case: "none", dateFormat: "", ...extra,
});

async function saveRule(values: Partial<RuleInput>): Promise<string> {
  await signInAs(prisma(), t.admin.id);
  const res = await createRuleAction({ ...emptyRuleInput(), title: "Client CRM", ...values } as RuleInput);
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return res.data.id;
}

const ADA = { email: "ada@example.test", firstName: "Ada", lastName: "Lovelace", phone: "+1 (555) 010-0042", score: 42 };

async function deliverOne(lead: Parameters<typeof createLead>[2] = ADA) {
  const created = await createLead(await sql(), t.org.id, lead);
  await dispatchBatch({ prisma: prisma(), client });
  const delivery = await prisma().delivery.findFirstOrThrow({ where: { eventId: created.eventIds[0] }, include: { attempts: { orderBy: { number: "asc" } } } });
  return { ...created, delivery };
}

describe("payload formats, received byte for byte", () => {
  it("JSON with a nested custom mapping and transforms, outside the envelope", async () => {
    const rx = await receiver();
    await saveRule({
      url: `${rx.url}/json`,
      mappingMode: "custom",
      wrapInEnvelope: false,
      fieldMappings: [
        map("name.first", "lead.firstName", { case: "upper" }),
        map("name.last", "lead.lastName"),
        map("contact.phone", "lead.phone", { digitsOnly: true }),
        map("contact.email", "lead.email"),
        { ...map("source", ""), source: "static", value: "leadhooks" },
        map("created", "lead.createdAt", { dateFormat: "YYYY-MM-DD" }),
        map("region", "lead.customFields.region", { defaultValue: "none" }),
        { ...map("label", ""), source: "template", value: "{{ lead.firstName }} {{ lead.lastName | upcase }}" },
      ],
    });
    const { lead, delivery } = await deliverOne();
    const day = lead.createdAt.toISOString().slice(0, 10);
    expect(rx.received[0]!.body).toBe(
      `{"name":{"first":"ADA","last":"Lovelace"},"contact":{"phone":"15550100042","email":"ada@example.test"},"source":"leadhooks","created":"${day}","region":"none","label":"Ada LOVELACE"}`,
    );
    expect(rx.received[0]!.headers["content-type"]).toBe("application/json");
    expect(delivery.state).toBe("SUCCEEDED");
  });

  it("form URL-encoded", async () => {
    const rx = await receiver();
    await saveRule({
      url: `${rx.url}/form`,
      payloadFormat: "FORM",
      mappingMode: "custom",
      fieldMappings: [map("first_name", "lead.firstName"), map("last_name", "lead.lastName"), map("email", "lead.email")],
    });
    await deliverOne();
    expect(rx.received[0]!.body).toBe("first_name=Ada&last_name=Lovelace&email=ada%40example.test");
    expect(rx.received[0]!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  });

  it("XML from a template, escaped", async () => {
    const rx = await receiver();
    await saveRule({
      url: `${rx.url}/xml`,
      payloadFormat: "XML",
      payloadTemplate: "<lead><name>{{ lead.firstName | xml_escape }}</name><email>{{ lead.email | xml_escape }}</email></lead>",
    });
    await deliverOne({ ...ADA, firstName: `A<d&"a>` });
    expect(rx.received[0]!.body).toBe("<lead><name>A&lt;d&amp;&quot;a&gt;</name><email>ada@example.test</email></lead>");
    expect(rx.received[0]!.headers["content-type"]).toBe("application/xml");
  });

  it("a CSV line, with a custom Content-Type header", async () => {
    const rx = await receiver();
    await saveRule({
      url: `${rx.url}/csv`,
      payloadFormat: "TEMPLATE",
      payloadTemplate: "{{ lead.firstName | csv_escape }},{{ lead.lastName | csv_escape }},{{ lead.email | csv_escape }}",
      headers: [{ name: "Content-Type", value: "text/csv" }],
    });
    await deliverOne({ ...ADA, lastName: 'Love, "Lace"' });
    expect(rx.received[0]!.body).toBe('Ada,"Love, ""Lace""",ada@example.test');
    expect(rx.received[0]!.headers["content-type"]).toBe("text/csv");
  });

  it("a fixed-width record", async () => {
    const rx = await receiver();
    await saveRule({
      url: `${rx.url}/fixed`,
      payloadFormat: "TEMPLATE",
      payloadTemplate: '{{ lead.firstName | pad_right: 10 }}{{ lead.lastName | pad_right: 6 }}{{ lead.score | pad_left: 5, "0" }}',
    });
    await deliverOne();
    expect(rx.received[0]!.body).toBe("Ada       Lovela00042");
  });

  it("GET sends the mapped fields as the query string, and the URL may use lead values", async () => {
    const rx = await receiver();
    await saveRule({
      url: `${rx.url}/{{ lead.office }}/leads?src=lh`,
      method: "GET",
      mappingMode: "custom",
      fieldMappings: [map("email", "lead.email"), map("last", "lead.lastName")],
    });
    await deliverOne({ ...ADA, office: "Downtown" });
    expect(rx.received[0]).toMatchObject({ method: "GET", path: "/Downtown/leads?src=lh&email=ada%40example.test&last=Lovelace", body: "" });
  });
});

describe("response rules", () => {
  it("a 200 whose body says error is a failure and is retried; the parser's values land on the delivery", async () => {
    const rx = await receiver((_req, n) =>
      n === 1 ? { status: 200, body: '{"status":"error","lead":{"id":"crm-1"}}' } : { status: 200, body: '{"status":"ok","lead":{"id":"crm-2"}}' },
    );
    await saveRule({
      url: rx.url,
      bodyCondition: { enabled: true, kind: "json", path: "status", equals: "ok" },
      responseParsers: [{ name: "lead_id", kind: "json", path: "lead.id" }],
      retryKind: "schedule",
      retryDelays: "0, 0",
    });
    const { delivery } = await deliverOne();
    expect(delivery.state).toBe("PENDING");
    expect(delivery.lastError).toMatch(/status/);
    await dispatchBatch({ prisma: prisma(), client });
    const after = await prisma().delivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(after).toMatchObject({ state: "SUCCEEDED", attemptCount: 2, responseValues: { lead_id: "crm-2" } });
  });

  it("the error parser's code, message and field are stored on the failed attempt", async () => {
    const rx = await receiver(() => ({ status: 422, headers: { "content-type": "application/json" }, body: '{"error":{"code":"E_EMAIL","message":"Email is invalid","field":"email"}}' }));
    await saveRule({ url: rx.url, errorParser: { kind: "json", code: "error.code", message: "error.message", field: "error.field" } });
    const { delivery } = await deliverOne();
    expect(delivery.state).toBe("FAILED");
    expect(delivery.attempts[0]!.parsedError).toEqual({ code: "E_EMAIL", message: "Email is invalid", field: "email" });
    expect(delivery.attempts[0]!.errorMessage).toMatch(/422/);
  });
});

describe("conditional sending and the sending window", () => {
  it("skips a lead that fails the conditions, with the reason, and sends nothing", async () => {
    const rx = await receiver();
    await saveRule({ url: rx.url, conditionMatch: "all", conditions: [{ field: "lead.score", op: "gt", value: "50" }] });
    const { delivery } = await deliverOne();
    expect(delivery.state).toBe("SKIPPED");
    expect(delivery.lastError).toMatch(/score/);
    expect(rx.received).toHaveLength(0);
    // Frozen all the same: an admin's retry sends the lead as the rule would have.
    expect(JSON.parse(delivery.requestBody)).toMatchObject({ type: "lead.created", data: { lead: { email: "ada@example.test" } } });
  });

  it("waits for the window to open, or sends to the alternate URL outside it", async () => {
    const rx = await receiver();
    const hour = (new Date().getUTCHours() + 12) % 24; // a one-hour window half a day away
    const hh = String(hour).padStart(2, "0");
    const window = { enabled: true, days: [0, 1, 2, 3, 4, 5, 6], start: `${hh}:00`, end: `${hh}:59`, timezone: "UTC", outside: "wait" as const, alternateUrl: "" };
    await saveRule({ url: `${rx.url}/in-hours`, timeWindow: window });
    const { delivery } = await deliverOne();
    expect(delivery.state).toBe("PENDING");
    expect(rx.received).toHaveLength(0);
    expect(delivery.nextAttemptAt!.getUTCHours()).toBe(hour);
    expect(delivery.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    // When the window opens, it is sent.
    await dispatchBatch({ prisma: prisma(), client, now: () => new Date(delivery.nextAttemptAt!.getTime() + 1000) });
    expect(rx.received.map((r) => r.path)).toEqual(["/in-hours"]);

    await prisma().webhookRule.updateMany({ where: { organizationId: t.org.id }, data: { enabled: false } });
    await saveRule({ url: `${rx.url}/in-hours`, timeWindow: { ...window, outside: "alternate", alternateUrl: `${rx.url}/after-hours` } });
    await deliverOne();
    expect(rx.received.map((r) => r.path)).toEqual(["/in-hours", "/after-hours"]);
  });
});

describe("authentication through the dispatcher", () => {
  it("sends Basic credentials, keeps them when the form leaves the password blank, and never stores them in attempts", async () => {
    const rx = await receiver((req) => (req.headers.authorization === `Basic ${Buffer.from("crm:s3cret").toString("base64")}` ? { status: 200 } : { status: 401 }));
    const id = await saveRule({ url: rx.url, auth: { ...emptyAuthForm(), type: "BASIC", username: "crm", password: "s3cret" } });
    const edit = await getRuleForEdit(prisma(), t.org.id, id);
    expect(edit.values.auth.password).toBe("");
    expect(edit.storedSecrets).toEqual(["password"]);
    expect(JSON.stringify(await prisma().webhookRule.findUniqueOrThrow({ where: { id } }))).not.toContain("s3cret");

    // Saved again from the form, with the password left blank: the stored one is kept.
    const res = await updateRuleAction({ ruleId: id, values: { ...edit.values, title: "Renamed" } });
    expect(res.ok).toBe(true);
    const { delivery } = await deliverOne();
    expect(delivery.state).toBe("SUCCEEDED");
    expect(JSON.stringify(delivery.attempts)).not.toContain(Buffer.from("crm:s3cret").toString("base64"));
    expect(delivery.attempts[0]!.requestHeaders).toMatchObject({ Authorization: "[redacted]" });
  });

  it("refuses a new Basic rule without a password, naming the field", async () => {
    await signInAs(prisma(), t.admin.id);
    const res = await createRuleAction({ ...emptyRuleInput(), title: "No password", url: "https://crm.example.com/h", auth: { ...emptyAuthForm(), type: "BASIC", username: "crm" } });
    expect(res).toMatchObject({ ok: false, fieldErrors: { "auth.password": [expect.stringMatching(/password/i)] } });
  });
});
