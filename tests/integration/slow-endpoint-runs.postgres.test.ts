import { describe, expect, it } from "vitest";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { wakeDispatcher } from "@/lib/delivery/wake";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackDispatcher } from "../helpers/dispatcher";
import { startReceiver } from "../helpers/receiver";
import { until } from "../helpers/until";

// Found by a tester running `npm run worker` beside one endpoint that answers late: every 25 s the
// process's dispatcher ended its run (a time budget), claimed nothing more, and waited for its
// slowest request before the next run began, so every other rule's deliveries stopped for up to
// that endpoint's timeout, over and over. A delivering process's run has no budget now.
// Runs longer than that budget did (about half a minute), so it runs once, in the PostgreSQL suite;
// the dispatcher is the same on both databases.

const prisma = useTestDatabase();
useLoopbackDispatcher();

describe("a delivering process beside an endpoint that answers late", () => {
  it("keeps claiming for every other rule, past any time a run used to end at", async () => {
    const slow = await startReceiver(() => ({ status: 200, body: "late", delayMs: 60_000 }));
    const arrived = new Map<string, number>();
    const quick = await startReceiver((r) => {
      const email = (JSON.parse(r.body) as { data: { lead: { email: string } } }).data.lead.email;
      if (!arrived.has(email)) arrived.set(email, Date.now());
      return { status: 200, body: "ok" };
    });
    const { org } = await createWebhookOrg(prisma());
    const base = { organizationId: org.id, title: "R", events: ["lead.created"] };
    await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${slow.url}/late`, timeoutMs: 30_000 } });
    const quickRule = await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${quick.url}/quick` } });

    // Two leads a second for 28 s, each woken for as a worker is (NOTIFY after the commit: claimed, not handed).
    const posted = new Map<string, number>();
    const started = Date.now();
    for (let i = 0; Date.now() - started < 28_000; i++) {
      const email = `lead${i}@x.test`;
      posted.set(email, Date.now());
      await createLead(await sql(), org.id, { email });
      wakeDispatcher();
      await new Promise((r) => setTimeout(r, 500));
    }
    await until(() => arrived.size === posted.size, 60_000);
    const lags = [...posted].map(([email, at]) => arrived.get(email)! - at);
    // Before: the leads of the last seconds waited for the late endpoint's requests to end (about 30 s).
    expect(Math.max(...lags)).toBeLessThan(5_000);
    expect(quick.received).toHaveLength(posted.size);
    expect(await prisma().delivery.count({ where: { ruleId: quickRule.id, state: "SUCCEEDED" } })).toBe(posted.size);
    expect(slow.received.length).toBeGreaterThan(0);

    // The late requests end (their connections closed) and are recorded before the file's dispatcher stops.
    await slow.close();
    await quick.close();
    await prisma().webhookRule.updateMany({ where: { organizationId: org.id }, data: { enabled: false } });
  }, 180_000);
});
