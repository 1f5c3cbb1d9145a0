import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { POST as createRoute } from "@/app/api/v1/webhooks/route";
import { DELETE as deleteRoute, PATCH as patchRoute } from "@/app/api/v1/webhooks/[id]/route";
import { GET as logsRoute } from "@/app/api/v1/webhooks/[id]/logs/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { recordBatch } from "@/lib/delivery/engine/record";
import { outboxChainWriter } from "@/lib/outbox/commit";
import { PASSED_TO_FALLBACK } from "@/lib/delivery/policy/chain";
import { replayDeliveries, retryDelivery } from "@/lib/delivery/log/requeue";
import { getDelivery } from "@/lib/delivery/log/queries";
import { NO_LIMITS } from "@/lib/domain/rule/limits";
import { createLead, updateLead } from "@/lib/leads/mutations";
import { deleteDisabledRule } from "@/lib/rules/status";
import type { Prisma } from "@/lib/generated/prisma/client";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// Fallback and linked rules through the real dispatcher against a real receiver: the lead passes
// to the fallback when a delivery fails for good (or a cap skips it, or the window is closed, as
// the rule says), to the linked rule after a success, at most once per outcome; loops are refused.

process.env.ALLOW_INSECURE_URLS = "true";
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
resetEnvCache();

const prisma = useTestDatabase();
const client = useLoopbackClient();

/** An organization with a receiver that answers 400 (no retry) on paths starting with /fail, 200 elsewhere. */
async function setup() {
  const rx = await startReceiver((req) => ({ status: req.path.startsWith("/fail") ? 400 : 200, body: "{}" }));
  const { org } = await createWebhookOrg(prisma());
  const rule = async (title: string, path: string, data: Partial<Prisma.WebhookRuleUncheckedCreateInput> = {}) =>
    prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title, events: ["lead.created"], url: `${rx.url}${path}`, ...data } });
  // A rule that only gets leads passed on (its own trigger never fires here).
  const target = (title: string, path: string, data: Partial<Prisma.WebhookRuleUncheckedCreateInput> = {}) => rule(title, path, { events: ["lead.converted"], ...data });
  const lead = async (email = "chain@x.test") => (await createLead(await sql(), org.id, { email })).lead.id;
  return { rx, org, rule, target, lead, paths: () => rx.received.map((r) => r.path) };
}

/** Dispatches until nothing more is due (chained deliveries are written as their parents' outcomes are). */
async function dispatchAll(): Promise<void> {
  for (let round = 0; round < 6; round++) {
    const run = await dispatchUntilIdle({ prisma: prisma(), client, owner: "chain-test" });
    if (run.claimed === 0) return;
  }
}

const deliveriesOf = (ruleId: string) => prisma().delivery.findMany({ where: { ruleId }, orderBy: { createdAt: "asc" } });

describe(`fallback and linked rules (${TEST_DATABASE})`, () => {
  it("a delivery that fails for good passes the lead to the fallback: same event and lead, rendered for the fallback's URL, linked to its parent", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const fallback = await target("Backup buyer", "/backup", { conditions: { match: "all", items: [{ field: "lead.email", op: "equals", value: "nobody@x.test" }] } });
    const main = await rule("Main buyer", "/fail-main", { fallbackRuleId: fallback.id });
    const leadId = await lead();
    await dispatchAll();
    expect(paths()).toEqual(["/fail-main", "/backup"]); // the fallback's own conditions are not checked
    const [parent] = await deliveriesOf(main.id);
    const [child] = await deliveriesOf(fallback.id);
    expect(parent).toMatchObject({ state: "FAILED" });
    expect(child).toMatchObject({ state: "SUCCEEDED", parentDeliveryId: parent!.id, chainKind: "FALLBACK", eventId: parent!.eventId, leadId });
    expect(JSON.parse(rx.received[1]!.body).data.lead.email).toBe("chain@x.test");

    // The delivery pages show the chain both ways.
    const shownChild = await getDelivery(prisma(), main.organizationId, child!.id);
    expect(shownChild.parent).toEqual({ id: parent!.id, note: "Fallback of Main buyer (failed: Status 400 is not a success status (2xx))" });
    const shownParent = await getDelivery(prisma(), main.organizationId, parent!.id);
    expect(shownParent.children).toEqual([{ id: child!.id, ruleTitle: "Backup buyer", state: "SUCCEEDED", kind: "FALLBACK" }]);
    await rx.close();
  });

  // The record statement holds the disabling of rules only when an endpoint answered 410 Gone,
  // and the chained deliveries only when there are any: here one record needs both.
  it("an endpoint that answers 410 Gone is disabled, and its fallback gets the lead in the same record", async () => {
    const { rx, rule, target, lead } = await setup();
    const gone = await startReceiver(() => ({ status: 410, body: "gone" }));
    const fallback = await target("Backup buyer", "/backup");
    const main = await rule("Retired buyer", "/retired", { fallbackRuleId: fallback.id, url: `${gone.url}/retired` });
    const leadId = await lead();
    await dispatchAll();
    const [parent] = await deliveriesOf(main.id);
    expect(parent).toMatchObject({ state: "FAILED", lastStatusCode: 410 });
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: main.id } })).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone" });
    expect(await deliveriesOf(fallback.id)).toMatchObject([{ parentDeliveryId: parent!.id, chainKind: "FALLBACK", state: "SUCCEEDED", leadId }]);
    expect(rx.received.map((r) => r.path)).toEqual(["/backup"]);
    await Promise.all([rx.close(), gone.close()]);
  });

  it("a success passes the lead to the linked rule; a failure does not, and a rule without chains passes nothing", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const linked = await target("Second buyer", "/second");
    const main = await rule("First buyer", "/first", { linkedRuleId: linked.id });
    await rule("Plain", "/plain");
    await lead();
    await dispatchAll();
    expect(paths().sort()).toEqual(["/first", "/plain", "/second"]);
    const [parent] = await deliveriesOf(main.id);
    expect(await deliveriesOf(linked.id)).toMatchObject([{ parentDeliveryId: parent!.id, chainKind: "LINKED", state: "SUCCEEDED" }]);
    await rx.close();
  });

  it("chains go on: A fails → its fallback B fails → B's fallback C gets the lead", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const c = await target("C", "/c");
    const b = await target("B", "/fail-b", { fallbackRuleId: c.id });
    const a = await rule("A", "/fail-a", { fallbackRuleId: b.id });
    await lead();
    await dispatchAll();
    expect(paths()).toEqual(["/fail-a", "/fail-b", "/c"]);
    const [da] = await deliveriesOf(a.id);
    const [db] = await deliveriesOf(b.id);
    expect(db).toMatchObject({ parentDeliveryId: da!.id, chainKind: "FALLBACK" });
    expect(await deliveriesOf(c.id)).toMatchObject([{ parentDeliveryId: db!.id, chainKind: "FALLBACK" }]);
    await rx.close();
  });

  it("a delivery a cap skips goes to the fallback when the rule says so", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const fallback = await target("Overflow", "/overflow");
    const capped = { ...NO_LIMITS, caps: { ...NO_LIMITS.caps, hour: 1 }, whenCapped: "skip" as const };
    const main = await rule("Capped", "/capped", { fallbackRuleId: fallback.id, fallbackOn: ["capSkipped"], deliveryLimits: capped });
    await lead("one@x.test");
    await lead("two@x.test");
    await dispatchAll();
    expect(paths().sort()).toEqual(["/capped", "/overflow"]);
    const skipped = (await deliveriesOf(main.id)).find((d) => d.state === "SKIPPED")!;
    expect(await deliveriesOf(fallback.id)).toMatchObject([{ parentDeliveryId: skipped.id, chainKind: "FALLBACK", leadId: skipped.leadId }]);
    await rx.close();
  });

  it("without the option a cap skip passes nothing on", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const fallback = await target("Overflow", "/overflow");
    await rule("Capped", "/capped", { fallbackRuleId: fallback.id, deliveryLimits: { ...NO_LIMITS, caps: { ...NO_LIMITS.caps, hour: 1 }, whenCapped: "skip" } });
    await lead("one@x.test");
    await lead("two@x.test");
    await dispatchAll();
    expect(paths()).toEqual(["/capped"]);
    await rx.close();
  });

  it("outside the sending window the lead goes to the fallback at once instead of waiting, when the rule says so", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const hour = (new Date().getUTCHours() + 12) % 24; // a window that is closed now
    const hh = String(hour).padStart(2, "0");
    const timeWindow = { enabled: true, days: [0, 1, 2, 3, 4, 5, 6], start: `${hh}:00`, end: `${hh}:59`, timezone: "UTC", outside: "wait", alternateUrl: "" };
    const fallback = await target("Night desk", "/night");
    const waiting = await rule("Day desk (waits)", "/day-waits", { fallbackRuleId: fallback.id, timeWindow });
    const passing = await rule("Day desk", "/day", { fallbackRuleId: fallback.id, fallbackOn: ["outsideWindow"], timeWindow });
    await lead();
    await dispatchAll();
    expect(paths()).toEqual(["/night"]);
    const [passed] = await deliveriesOf(passing.id);
    expect(passed).toMatchObject({ state: "SKIPPED", lastError: PASSED_TO_FALLBACK, attemptCount: 0 });
    expect(await deliveriesOf(fallback.id)).toMatchObject([{ parentDeliveryId: passed!.id, chainKind: "FALLBACK" }]);
    expect(await deliveriesOf(waiting.id)).toMatchObject([{ state: "PENDING" }]); // without the option it waits for the window
    await rx.close();
  });

  it("passes the lead on once per parent: not again when the outcome is recorded again, nor on retry or replay", async () => {
    const { rx, rule, target, lead, paths, org } = await setup();
    const fallback = await target("Backup", "/backup");
    const main = await rule("Main", "/fail-main", { fallbackRuleId: fallback.id });
    await lead();
    await dispatchAll();
    const [parent] = await deliveriesOf(main.id);

    // The same outcome recorded a second time (a dispatcher whose lease was taken over still records).
    const now = new Date();
    const link = { parentDeliveryId: parent!.id, ruleId: fallback.id, kind: "FALLBACK" as const, responseValues: null };
    await prisma().delivery.update({ where: { id: parent!.id }, data: { leaseOwner: "again" } });
    const outcome = { id: parent!.id, state: "FAILED" as const, attemptCount: 1, nextAttemptAt: null, lastStatusCode: 400, lastError: "HTTP 400", responseValues: null, completedAt: now.toISOString() };
    await recordBatch(await sql(), "again", [{ outcome, tally: "failed" }], now, await outboxChainWriter.prepare(await sql(), [link], now));
    expect(await deliveriesOf(fallback.id)).toHaveLength(1);

    await retryDelivery(prisma(), org.id, parent!.id);
    await dispatchAll();
    await replayDeliveries(prisma(), org.id, { ruleId: main.id, from: new Date(0), to: new Date() });
    await dispatchAll();
    expect(paths()).toEqual(["/fail-main", "/backup", "/fail-main", "/fail-main"]);
    expect(await deliveriesOf(fallback.id)).toHaveLength(1);
    await rx.close();
  });

  it("a rule gets a lead event once: a fallback that has the event by its own trigger, or that two failed rules pass it to, is sent it once", async () => {
    const { rx, rule, lead, paths } = await setup();
    // Subscribed to lead.created itself, and the fallback of two rules that fail.
    const shared = await rule("Shared backup", "/shared");
    await rule("Main 1", "/fail-1", { fallbackRuleId: shared.id });
    await rule("Main 2", "/fail-2", { fallbackRuleId: shared.id });
    // The fallback of two rules that fail, not subscribed: one chained delivery, whichever parent.
    const quiet = await rule("Quiet backup", "/quiet", { events: ["lead.converted"] });
    await rule("Main 3", "/fail-3", { fallbackRuleId: quiet.id });
    await rule("Main 4", "/fail-4", { fallbackRuleId: quiet.id });
    // Linked after a success, and subscribed too.
    const linked = await rule("Linked", "/linked");
    await rule("Main 5", "/ok-5", { linkedRuleId: linked.id });
    const leadId = await lead();
    await dispatchAll();
    expect(paths().sort()).toEqual(["/fail-1", "/fail-2", "/fail-3", "/fail-4", "/linked", "/ok-5", "/quiet", "/shared"]);
    expect(await deliveriesOf(shared.id)).toMatchObject([{ parentDeliveryId: null, state: "SUCCEEDED", leadId }]);
    expect(await deliveriesOf(linked.id)).toMatchObject([{ parentDeliveryId: null, state: "SUCCEEDED", leadId }]);
    const quietDeliveries = await deliveriesOf(quiet.id);
    expect(quietDeliveries).toHaveLength(1);
    expect(quietDeliveries[0]).toMatchObject({ chainKind: "FALLBACK", state: "SUCCEEDED", leadId });

    // The next event of the same lead is another message: the fallback gets it again.
    await rule("Main 6", "/fail-6", { events: ["lead.updated"], fallbackRuleId: quiet.id });
    await updateLead(prisma(), quiet.organizationId, leadId, { firstName: "Again" });
    await dispatchAll();
    expect(await deliveriesOf(quiet.id)).toHaveLength(2);
    await rx.close();
  });

  it("a fallback whose own conditions skipped the event still gets it from the chain (the chain sets its conditions aside)", async () => {
    const { rx, rule, lead, paths } = await setup();
    const picky = await rule("Picky backup", "/picky", { conditions: { match: "all", items: [{ field: "lead.email", op: "equals", value: "nobody@x.test" }] } });
    await rule("Main", "/fail-main", { fallbackRuleId: picky.id });
    await lead();
    await dispatchAll();
    expect(paths()).toEqual(["/fail-main", "/picky"]);
    const deliveries = await deliveriesOf(picky.id);
    expect(deliveries.map((d) => [d.state, d.chainKind])).toEqual([["SKIPPED", null], ["SUCCEEDED", "FALLBACK"]]);
    await rx.close();
  });

  it("a disabled fallback gets nothing", async () => {
    const { rx, rule, target, lead, paths } = await setup();
    const fallback = await target("Backup (off)", "/backup", { enabled: false });
    await rule("Main", "/fail-main", { fallbackRuleId: fallback.id });
    await lead();
    await dispatchAll();
    expect(paths()).toEqual(["/fail-main"]);
    expect(await deliveriesOf(fallback.id)).toHaveLength(0);
    await rx.close();
  });
});

describe(`chains in the API (${TEST_DATABASE})`, () => {
  it("sets and reads fallbackRuleId, linkedRuleId and fallbackOn; refuses a loop, a rule naming itself and another organization's rule; the log shows the parent", async () => {
    const { rx, org, lead } = await setup();
    const key = (await createApiKey(prisma(), org.id, "chains")).key;
    const call = routeCaller(() => key);
    const create = async (body: Record<string, unknown>) => {
      const res = await call(createRoute, { body: { events: ["lead.created"], ...body } });
      expect(res.status).toBe(201);
      return (await res.json()) as { id: string; fallbackRuleId: string | null; linkedRuleId: string | null; fallbackOn: string[] };
    };
    const b = await create({ title: "B", url: `${rx.url}/b`, events: ["lead.converted"] });
    const a = await create({ title: "A", url: `${rx.url}/fail-a`, fallbackRuleId: b.id, fallbackOn: ["outsideWindow", "capSkipped"] });
    expect(a).toMatchObject({ fallbackRuleId: b.id, linkedRuleId: null, fallbackOn: ["capSkipped", "outsideWindow"] });
    expect(b).toMatchObject({ fallbackRuleId: null, linkedRuleId: null, fallbackOn: [] });

    // A PATCH that leaves them out keeps them.
    const renamed = await call(patchRoute, { method: "PATCH", id: a.id, body: { title: "A" } });
    expect(await renamed.json()).toMatchObject({ fallbackRuleId: b.id, fallbackOn: ["capSkipped", "outsideWindow"] });

    const errorOf = async (res: Response) => ((await res.json()) as { error: { message: string; fields: Record<string, string[]> } }).error;
    const loop = await call(patchRoute, { method: "PATCH", id: b.id, body: { linkedRuleId: a.id } });
    expect(loop.status).toBe(422);
    const loopError = await errorOf(loop);
    expect(loopError.fields.linkedRuleId![0]).toContain("B → A → B");
    const self = await call(patchRoute, { method: "PATCH", id: b.id, body: { fallbackRuleId: b.id } });
    expect(self.status).toBe(422);
    expect((await errorOf(self)).fields.fallbackRuleId).toEqual(["A rule cannot pass the lead to itself."]);
    const other = await createWebhookOrg(prisma(), { name: "Other Co" });
    const foreign = await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: other.org.id, title: "Theirs", events: ["lead.created"], url: `${rx.url}/theirs` } });
    for (const id of [foreign.id, "rule_missing"]) {
      const res = await call(patchRoute, { method: "PATCH", id: b.id, body: { fallbackRuleId: id } });
      expect(res.status).toBe(422);
      expect((await errorOf(res)).fields.fallbackRuleId).toEqual(["Choose another rule of this organization."]);
    }

    await lead();
    await dispatchAll();
    const logs = await call(logsRoute, { id: b.id });
    const [entry] = ((await logs.json()) as { data: { parentDeliveryId: string | null; chainKind: string | null }[] }).data;
    const [parent] = await deliveriesOf(a.id);
    expect(entry).toMatchObject({ parentDeliveryId: parent!.id, chainKind: "FALLBACK" });
    await rx.close();
  });

  it("a rule another rule passes leads on to cannot be deleted (it cleared their choice silently), in the admin nor through the API, force or not", async () => {
    const { org, rule, target, rx } = await setup();
    const b = await target("Backup buyer", "/b", { enabled: false });
    const a = await rule("Main buyer", "/fail-a", { fallbackRuleId: b.id, fallbackOn: [] });
    const c = await rule("Upsell", "/c", { linkedRuleId: b.id });
    await expect(deleteDisabledRule(prisma(), org.id, b.id)).rejects.toThrow('Rules "Main buyer" and "Upsell" pass leads on to this rule');
    const key = (await createApiKey(prisma(), org.id, "chain")).key;
    const call = routeCaller(() => key);
    for (const query of [{}, { force: "true" }] as Record<string, string>[]) {
      const res = await call(deleteRoute, { method: "DELETE", id: b.id, query });
      expect(res.status, JSON.stringify(query)).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("webhook_in_chain");
    }
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ fallbackRuleId: b.id });
    // Once no rule names it, it goes.
    await prisma().webhookRule.update({ where: { id: a.id }, data: { fallbackRuleId: null } });
    await prisma().webhookRule.update({ where: { id: c.id }, data: { linkedRuleId: null } });
    expect(await deleteDisabledRule(prisma(), org.id, b.id)).toMatchObject({ id: b.id });
    expect(await prisma().webhookRule.findUnique({ where: { id: b.id } })).toBeNull();
    await rx.close();
  });
});
