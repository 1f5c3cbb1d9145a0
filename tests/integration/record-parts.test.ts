import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { recordBatch } from "@/lib/delivery/engine/record";
import { outboxChainWriter } from "@/lib/outbox/commit";
import { createLead } from "@/lib/leads/mutations";
import type { Decision } from "@/lib/delivery/policy/outcome";
import type { ChainLink } from "@/lib/delivery/policy/chain";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";

// The record statement holds only the parts a group needs (record.ts): the leads' answers, the
// disabling of rules that answered 410 Gone, the chained deliveries. recordBatch is called directly
// here, so each group's make-up is exact: every combination of the three parts, each group with
// two rules answering one lead, two 410s at once and a delivery whose lease another process took.

const prisma = useTestDatabase();
const now = new Date("2026-12-01T10:00:00.000Z");

async function world() {
  const { org } = await createWebhookOrg(prisma());
  const rule = (title: string, events = ["lead.created"]) =>
    prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title, events, url: `http://127.0.0.1:9/${title}` } });
  return { org, rule };
}

function outcome(id: string, state: "SUCCEEDED" | "FAILED", values: Record<string, string> | null, status = state === "SUCCEEDED" ? 200 : 410) {
  return { id, state, attemptCount: 1, nextAttemptAt: null, lastStatusCode: status, lastError: state === "FAILED" ? `HTTP ${status}` : null, responseValues: values, completedAt: now.toISOString() };
}
function attempt(deliveryId: string, status: number) {
  return { deliveryId, number: 1, startedAt: now, durationMs: 3, requestUrl: "http://127.0.0.1:9/", requestMethod: "POST", requestHeaders: {}, statusCode: status, responseHeaders: {}, responseBody: "", bodyTruncated: false, errorClass: null, errorMessage: null };
}

describe(`recording a group, by the parts it needs (${TEST_DATABASE})`, () => {
  for (const answers of [false, true]) for (const gone of [false, true]) for (const chained of [false, true]) {
    it(`${answers ? "with" : "without"} answers, ${gone ? "with" : "without"} 410 Gone, ${chained ? "with" : "without"} chained deliveries`, async () => {
      const { org, rule } = await world();
      const r1 = await rule("r1");
      const r2 = await rule("r2");
      const r3 = await rule("r3");
      const fb = await rule("fb", ["lead.converted"]);
      const { lead } = await createLead(await sql(), org.id, { email: "a@x.test" });
      const { lead: lead2 } = await createLead(await sql(), org.id, { email: "b@x.test" });
      await prisma().lead.update({ where: { id: lead.id }, data: { answers: { old: { k: "v" } } } });
      const ds = await prisma().delivery.findMany({ where: { organizationId: org.id } });
      const of = (ruleId: string, leadId: string) => ds.find((d) => d.ruleId === ruleId && d.leadId === leadId)!.id;
      await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { leaseOwner: "me", leaseExpiresAt: new Date(Date.now() + 60_000) } });
      // A lost lease: r3/lead2 is now someone else's.
      await prisma().delivery.update({ where: { id: of(r3.id, lead2.id) }, data: { leaseOwner: "other" } });

      const decisions: Decision[] = [
        // r1: lead 1 and 2 succeed, with values when `answers`
        { outcome: outcome(of(r1.id, lead.id), "SUCCEEDED", answers ? { remoteId: "r1-a" } : null), tally: "succeeded", attempt: attempt(of(r1.id, lead.id), 200) },
        { outcome: outcome(of(r1.id, lead2.id), "SUCCEEDED", null), tally: "succeeded", attempt: attempt(of(r1.id, lead2.id), 200) },
        // r2: lead 1 answers too (two rules answer one lead), 410 on lead 2 when `gone`
        { outcome: outcome(of(r2.id, lead.id), "SUCCEEDED", answers ? { remoteId: "r2-a" } : null), tally: "succeeded", attempt: attempt(of(r2.id, lead.id), 200) },
        gone
          ? { outcome: outcome(of(r2.id, lead2.id), "FAILED", answers ? { remoteId: "r2-gone" } : null), tally: "failed", attempt: attempt(of(r2.id, lead2.id), 410), goneRuleId: r2.id }
          : { outcome: outcome(of(r2.id, lead2.id), "SUCCEEDED", null), tally: "succeeded", attempt: attempt(of(r2.id, lead2.id), 200) },
        // r3: 410 on lead 1 when `gone` (two rules gone in one group); lead 2's lease lost
        gone
          ? { outcome: outcome(of(r3.id, lead.id), "FAILED", null), tally: "failed", attempt: attempt(of(r3.id, lead.id), 410), goneRuleId: r3.id }
          : { outcome: outcome(of(r3.id, lead.id), "SUCCEEDED", null), tally: "succeeded", attempt: attempt(of(r3.id, lead.id), 200) },
        { outcome: outcome(of(r3.id, lead2.id), "SUCCEEDED", answers ? { remoteId: "lost" } : null), tally: "succeeded", attempt: attempt(of(r3.id, lead2.id), 200) },
      ];
      const links: ChainLink[] = chained ? [{ parentDeliveryId: of(r2.id, lead2.id), ruleId: fb.id, kind: gone ? "FALLBACK" : "LINKED", responseValues: null }, { parentDeliveryId: of(r3.id, lead2.id), ruleId: fb.id, kind: "LINKED", responseValues: null }] : [];
      const rows = chained ? await outboxChainWriter.prepare(await sql(), links, now) : null;
      if (chained) expect(rows).not.toBeNull();
      await recordBatch(await sql(), "me", decisions, now, rows);

      const after = await prisma().delivery.findMany({ where: { organizationId: org.id } });
      const row = (id: string) => after.find((d) => d.id === id)!;
      expect(row(of(r1.id, lead.id))).toMatchObject({ state: "SUCCEEDED", leaseOwner: null, responseValues: answers ? { remoteId: "r1-a" } : null });
      expect(row(of(r2.id, lead2.id))).toMatchObject({ state: gone ? "FAILED" : "SUCCEEDED", lastStatusCode: gone ? 410 : 200 });
      expect(row(of(r3.id, lead2.id))).toMatchObject({ state: "PENDING", leaseOwner: "other" });
      expect(await prisma().deliveryAttempt.count({ where: { delivery: { organizationId: org.id } } })).toBe(6); // attempts are kept even for the lost lease
      const l1 = await prisma().lead.findUniqueOrThrow({ where: { id: lead.id } });
      const l2 = await prisma().lead.findUniqueOrThrow({ where: { id: lead2.id } });
      expect(l1.answers).toEqual(answers ? { old: { k: "v" }, [r1.id]: { remoteId: "r1-a" }, [r2.id]: { remoteId: "r2-a" } } : { old: { k: "v" } });
      expect(l2.answers).toEqual(answers && gone ? { [r2.id]: { remoteId: "r2-gone" } } : {});
      const rules = await prisma().webhookRule.findMany({ where: { organizationId: org.id } });
      const disabled = rules.filter((r) => !r.enabled).map((r) => r.title).sort();
      expect(disabled).toEqual(gone ? ["r2", "r3"] : []);
      if (gone) for (const r of rules.filter((r) => !r.enabled)) expect(r).toMatchObject({ disabledReason: "The endpoint answered 410 Gone", disabledAt: now });
      const children = after.filter((d) => d.parentDeliveryId);
      expect(children.map((c) => [c.ruleId, c.parentDeliveryId])).toEqual(chained ? [[fb.id, of(r2.id, lead2.id)]] : []);
    });
  }

  it("the same group recorded twice changes nothing more: no second chained delivery, the first disabling time kept", async () => {
    const { org, rule } = await world();
    const r1 = await rule("r1");
    const fb = await rule("fb", ["lead.converted"]);
    const { lead } = await createLead(await sql(), org.id, { email: "a@x.test" });
    const d = (await prisma().delivery.findFirstOrThrow({ where: { ruleId: r1.id } })).id;
    await prisma().delivery.update({ where: { id: d }, data: { leaseOwner: "me" } });
    const decisions: Decision[] = [{ outcome: outcome(d, "FAILED", { remoteId: "x" }), tally: "failed", attempt: attempt(d, 410), goneRuleId: r1.id }];
    const rows = await outboxChainWriter.prepare(await sql(), [{ parentDeliveryId: d, ruleId: fb.id, kind: "FALLBACK", responseValues: { remoteId: "x" } }], now);
    await recordBatch(await sql(), "me", decisions, now, rows);
    const later = new Date(now.getTime() + 5000);
    await recordBatch(await sql(), "me", decisions, later, rows);
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id: r1.id } })).toMatchObject({ enabled: false, disabledAt: now });
    expect(await prisma().delivery.count({ where: { ruleId: fb.id } })).toBe(1);
    expect((await prisma().lead.findUniqueOrThrow({ where: { id: lead.id } })).answers).toEqual({ [r1.id]: { remoteId: "x" } });
  });
});

describe(`one rule chained from two deliveries of a group (${TEST_DATABASE})`, () => {
  it("a FALLBACK (from a 410) and a LINKED (from a success with values) to the same rule in one record: one chained delivery", async () => {
    const { org, rule } = await world();
    const g = await rule("g");
    const a = await rule("a");
    const t = await rule("t", ["lead.converted"]);
    const { lead } = await createLead(await sql(), org.id, { email: "a@x.test" });
    const dg = (await prisma().delivery.findFirstOrThrow({ where: { ruleId: g.id } })).id;
    const da = (await prisma().delivery.findFirstOrThrow({ where: { ruleId: a.id } })).id;
    await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { leaseOwner: "me" } });
    const decisions: Decision[] = [
      { outcome: outcome(dg, "FAILED", null), tally: "failed", attempt: attempt(dg, 410), goneRuleId: g.id },
      { outcome: outcome(da, "SUCCEEDED", { remoteId: "A1" }), tally: "succeeded", attempt: attempt(da, 200) },
    ];
    const rows = await outboxChainWriter.prepare(await sql(), [
      { parentDeliveryId: dg, ruleId: t.id, kind: "FALLBACK", responseValues: null },
      { parentDeliveryId: da, ruleId: t.id, kind: "LINKED", responseValues: { remoteId: "A1" } },
    ], now);
    await recordBatch(await sql(), "me", decisions, now, rows);
    const kids = await prisma().delivery.findMany({ where: { ruleId: t.id } });
    expect(kids).toHaveLength(1);
    expect((await prisma().lead.findUniqueOrThrow({ where: { id: lead.id } })).answers).toEqual({ [a.id]: { remoteId: "A1" } });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: g.id } })).enabled).toBe(false);
  });
});
