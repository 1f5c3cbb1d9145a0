import { sql } from "@/lib/db";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction } from "@/app/(admin)/rules/actions";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import { createLead } from "@/lib/leads/mutations";
import { emptyRuleInput, type RuleInput } from "@/lib/rules/form/rule";
import { allowLoopbackDestinations, useLoopbackClient } from "../helpers/loopback-client";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// What a receiver sends back is stored with the attempt (the parsed values, the parsed error). A
// JSON answer can hold text the database cannot: "\u0000", a lone surrogate ("\ud800"), or a long
// value whose cut at the parser's limit splits an emoji in two. Such an answer must be recorded
// (the unstorable characters replaced by U+FFFD), never fail the batch's bookkeeping, which would
// leave the delivery leased and send it again.

const prisma = useTestDatabase();
const client = useLoopbackClient();
let t: Awaited<ReturnType<typeof createWebhookOrg>>;
const receivers: { close: () => Promise<void> }[] = [];

allowLoopbackDestinations(); // the form checks destinations: the receivers are on loopback
beforeAll(async () => {
  t = await createWebhookOrg(prisma(), { name: "Echo Co" });
});
afterEach(async () => {
  await prisma().webhookRule.updateMany({ where: { organizationId: t.org.id }, data: { enabled: false } });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function saveRule(values: Partial<RuleInput>): Promise<void> {
  await signInAs(prisma(), t.admin.id);
  const res = await createRuleAction({ ...emptyRuleInput(), title: "Echo", ...values } as RuleInput);
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
}

async function deliverOne() {
  const created = await createLead(await sql(), t.org.id, { email: "ada@example.test" });
  await dispatchBatch({ prisma: prisma(), client });
  return prisma().delivery.findFirstOrThrow({ where: { eventId: created.eventIds[0] }, include: { attempts: { orderBy: { number: "asc" } } } });
}

const LONG = `${"a".repeat(499)}\u{1F600}`; // the parser keeps 500 UTF-16 units: the cut falls inside the emoji

describe("a receiver's answer holding text the database cannot", () => {
  it("stores the response parser's values with NUL and lone surrogates replaced, and the delivery succeeds", async () => {
    const body = `{"lead":{"id":"crm-\\u0000-\\ud800-1","long":${JSON.stringify(LONG)}}}`;
    const rx = await startReceiver(() => ({ status: 200, headers: { "content-type": "application/json" }, body }));
    receivers.push(rx);
    await saveRule({ url: rx.url, responseParsers: [{ name: "lead_id", kind: "json", path: "lead.id" }, { name: "long", kind: "json", path: "lead.long" }] });
    const delivery = await deliverOne();
    expect(delivery).toMatchObject({ state: "SUCCEEDED", leaseOwner: null, responseValues: { lead_id: "crm-\uFFFD-\uFFFD-1", long: `${"a".repeat(499)}\uFFFD` } });
  });

  it("stores the error parser's values with NUL and lone surrogates replaced, and the delivery fails as the receiver said", async () => {
    const body = `{"error":{"code":"E\\u0000","message":${JSON.stringify(LONG)},"field":"\\udc00email"}}`;
    const rx = await startReceiver(() => ({ status: 422, headers: { "content-type": "application/json" }, body }));
    receivers.push(rx);
    await saveRule({ url: rx.url, errorParser: { kind: "json", code: "error.code", message: "error.message", field: "error.field" } });
    const delivery = await deliverOne();
    expect(delivery).toMatchObject({ state: "FAILED", leaseOwner: null, attemptCount: 1 });
    expect(delivery.attempts[0]!.parsedError).toEqual({ code: "E\uFFFD", message: `${"a".repeat(499)}\uFFFD`, field: "\uFFFDemail" });
  });
});
