import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { allowLoopbackDestinations } from "../helpers/loopback-client";

// DELIVERY_CONCURRENCY, DELIVERY_PER_RULE_CONCURRENCY and DELIVERY_PER_HOST_CONCURRENCY bound the
// requests a delivering process has in flight. The receiver holds requests until as many as the
// setting allows are in flight at once, so a setting that let more through shows as a higher
// count, and one that let fewer through as a lower one.

const prisma = useTestDatabase();
allowLoopbackDestinations();
const SETTINGS = ["DELIVERY_CONCURRENCY", "DELIVERY_PER_RULE_CONCURRENCY", "DELIVERY_PER_HOST_CONCURRENCY"] as const;
afterAll(async () => {
  await runDispatcher();
  for (const name of SETTINGS) delete process.env[name];
  resetEnvCache();
});

/**
 * A receiver that holds requests: once `gate` are in flight it waits 300 ms more (time for any
 * request beyond the limit to arrive) and answers them all; with fewer in flight it answers once
 * 2 s pass without a new one. Reports the most it saw in flight at once.
 */
async function gatedReceiver(gate: number) {
  let most = 0;
  let received = 0;
  const held: (() => void)[] = [];
  let timer: NodeJS.Timeout | undefined;
  const answerAll = () => held.splice(0).forEach((answer) => answer());
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      received++;
      held.push(() => res.end("ok"));
      most = Math.max(most, held.length);
      clearTimeout(timer);
      timer = setTimeout(answerAll, held.length >= gate ? 300 : 2000);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats: () => ({ most, received }),
    close: () => {
      clearTimeout(timer);
      answerAll();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe(`the process's limits of requests in flight (${TEST_DATABASE})`, () => {
  it.each([
    { setting: { DELIVERY_CONCURRENCY: "3" }, rules: 3, most: 3 },
    { setting: { DELIVERY_PER_HOST_CONCURRENCY: "2" }, rules: 3, most: 2 },
    { setting: { DELIVERY_PER_RULE_CONCURRENCY: "2" }, rules: 1, most: 2 },
    // More than the HTTP agent's sockets per origin once were (64): the ones over it waited inside
    // the agent while their timeout ran, and were recorded as timeouts.
    { setting: { DELIVERY_CONCURRENCY: "80", DELIVERY_PER_RULE_CONCURRENCY: "80", DELIVERY_PER_HOST_CONCURRENCY: "80" }, rules: 1, most: 80 },
  ])("$setting: at most $most at once", async ({ setting, rules, most }) => {
    for (const name of SETTINGS) delete process.env[name];
    Object.assign(process.env, setting);
    resetEnvCache();
    const rx = await gatedReceiver(most);
    try {
      const { org } = await createWebhookOrg(prisma());
      for (let i = 0; i < rules; i++) await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: `R${i}`, events: ["lead.created"], url: `${rx.url}/r${i}` } });
      const leads = Math.ceil(Math.max(12, most) / rules);
      for (let i = 0; i < leads; i++) await createLead(await sql(), org.id, { email: `n${i}@x.test` });
      let delivered = 0;
      while (delivered < leads * rules) delivered += (await runDispatcher(60_000)).succeeded;
      expect(rx.stats()).toEqual({ most, received: leads * rules });
      expect(await prisma().delivery.count({ where: { organizationId: org.id, state: "SUCCEEDED", attemptCount: 1 } })).toBe(leads * rules);
    } finally {
      await rx.close();
    }
  }, 120_000);
});
