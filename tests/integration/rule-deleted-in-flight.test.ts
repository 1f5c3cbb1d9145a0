import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { onWake } from "@/lib/delivery/wake";
import { createLead } from "@/lib/leads/mutations";
import { commitEvents } from "@/lib/outbox/commit";
import { deleteRuleChecked } from "@/lib/rules/status";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackDispatcher } from "../helpers/dispatcher";
import { startReceiver } from "../helpers/receiver";

// A rule deleted while its delivery's request is in flight: deleting the rule deletes its
// deliveries, so the outcome of that request has no row to go to. It must be dropped on its own,
// not fail the group of outcomes it is recorded with: those other deliveries were sent, and a group
// that failed would leave them leased, to be sent a second time once their leases ran out.

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;

useLoopbackDispatcher();
beforeAll(async () => {
  // Every request is answered after 300 ms: the rule is deleted meanwhile, and the outcomes of
  // one lead's deliveries end together (one group).
  rx = await startReceiver(() => ({ status: 200, delayMs: 300 }));
  onWake(() => void runDispatcher());
});
afterAll(() => rx.close());

describe(`a rule deleted while its delivery is in flight (${TEST_DATABASE})`, () => {
  it("drops that outcome alone: the run does not fail, the other rules' deliveries are recorded once and left unleased", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rules: { id: string }[] = [];
    for (const name of ["deleted", "kept-1", "kept-2"]) {
      rules.push(await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: name, events: ["lead.created"], url: `${rx.url}/${name}` } }));
    }
    const created = await commitEvents(async () => createLead(await sql(), org.id, { email: "deleted-in-flight@example.test" }));
    await vi.waitFor(() => expect(rx.received.filter((r) => created.deliveryIds.includes(String(r.headers["webhook-id"])))).toHaveLength(3), { timeout: 10_000, interval: 20 });
    await deleteRuleChecked(prisma(), org.id, rules[0]!.id, "any");

    await expect(runDispatcher()).resolves.toBeDefined(); // joins the run sending them
    const kept = created.deliveries.filter((d) => d.ruleId !== rules[0]!.id).map((d) => d.id);
    const rows = await prisma().delivery.findMany({ where: { id: { in: created.deliveryIds } }, include: { attempts: true } });
    expect(rows.map((d) => d.id).sort()).toEqual([...kept].sort());
    for (const d of rows) expect([d.state, d.attemptCount, d.leaseOwner, d.attempts.length]).toEqual(["SUCCEEDED", 1, null, 1]);
    expect(await prisma().deliveryAttempt.count({ where: { deliveryId: { in: created.deliveryIds } } })).toBe(2);
    // Nothing was left to be sent again.
    await runDispatcher();
    expect(rx.received.filter((r) => created.deliveryIds.includes(String(r.headers["webhook-id"])))).toHaveLength(3);
  });
});
