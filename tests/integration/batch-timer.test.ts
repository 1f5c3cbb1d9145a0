import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { runDispatcher, wireDispatcher } from "@/lib/delivery/engine/runtime";
import { onWake } from "@/lib/delivery/wake";
import { consumeDispatchReport } from "@/lib/health/report";
import { createLead } from "@/lib/leads/mutations";
import { commitEvents } from "@/lib/outbox/commit";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { allowLoopbackDestinations } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";
import { until } from "../helpers/until";

// A batch that becomes due by time (its oldest lead has waited maxSeconds) is sent then, with no
// ticker and no other wake-up: the dispatcher, wired as a web process wires it, sets a timer for
// the first waiting delivery's due time. Before, it waited for the next tick (10 s on PostgreSQL
// by default; never, with no ticker at all, as here).

const prisma = useTestDatabase();
let rx: Awaited<ReturnType<typeof startReceiver>>;

allowLoopbackDestinations(); // the process's dispatcher reaches the loopback receiver

beforeAll(async () => {
  rx = await startReceiver();
  wireDispatcher(consumeDispatchReport);
});
afterAll(async () => {
  onWake(() => {});
  await runDispatcher(); // let a dispatch started by the timer finish before the database closes
  await rx.close();
});

describe("a batch due by time", () => {
  it("is sent once its oldest lead has waited maxSeconds, woken by the dispatcher's own timer", async () => {
    const { org } = await createWebhookOrg(prisma());
    const rule = await prisma().webhookRule.create({
      data: { id: newId("rule"), organizationId: org.id, title: "Every 2 s", events: ["lead.created"], url: `${rx.url}/batch`, batch: { maxLeads: 50, maxSeconds: 2, format: "json" } },
    });
    const q = await sql();
    const first = Date.now();
    for (let i = 0; i < 3; i++) await commitEvents(() => createLead(q, org.id, { email: `b${i}@x.test` }));
    // Each commit woke the dispatcher, which found the batch not yet due.
    await until(() => rx.received.length > 0, 60_000);
    const waited = Date.now() - first;
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(rx.received).toHaveLength(1);
    expect((JSON.parse(rx.received[0]!.body) as unknown[]).length).toBe(3);
    await until(async () => (await prisma().delivery.count({ where: { ruleId: rule.id, state: "SUCCEEDED" } })) === 3, 30_000);
  });
});
