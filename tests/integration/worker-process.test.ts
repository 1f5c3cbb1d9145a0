import { afterAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, databaseForAProcess } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { startWorker } from "../helpers/worker";

// `npm run worker` as its own process: it delivers what the outbox recorded, and on SIGTERM lets
// the request in flight finish and be recorded before it exits 0. On PGlite the worker owns its
// data directory alone: this file seeds it, closes it, and reads the outcome after the worker exits.

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

async function databaseUrlForChild(): Promise<string> {
  const { url, remove } = await databaseForAProcess("worker");
  cleanups.push(remove);
  return url;
}

describe("npm run worker", () => {
  it("delivers a recorded lead event, and on SIGTERM records the request in flight and exits 0", async () => {
    // The receiver answers a second after the request arrives: SIGTERM lands while it is in flight.
    const rx = await startReceiver(() => ({ status: 200, body: "ok", delayMs: 1_000 }));
    const url = await databaseUrlForChild();
    const seed = await openDatabase(url, "test");
    const { org } = await createWebhookOrg(seed.prisma);
    await seed.prisma.webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: `${rx.url}/hook` } });
    const { deliveryIds } = await createLead(seed.sql, org.id, { email: "worker@example.test" });
    expect(deliveryIds).toHaveLength(1);
    await seed.close();

    const worker = startWorker(url, (kill) => cleanups.push(kill));
    await vi.waitFor(() => expect(rx.received.length, worker.output()).toBe(1), { timeout: 150_000, interval: 50 });
    expect(worker.output()).toMatch(/Delivery worker \d+ started/);
    worker.child.kill("SIGTERM");
    expect(await worker.exited, worker.output()).toBe(0);
    expect(worker.output()).toMatch(/Delivery worker \d+ stopped\./);

    const after = await openDatabase(url, "test");
    try {
      const d = await after.prisma.delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } });
      expect(d).toMatchObject({ state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200 });
    } finally {
      await after.close();
    }
    expect(rx.received.map((r) => [r.path, r.headers["webhook-id"]])).toEqual([["/hook", deliveryIds[0]]]);
    await rx.close();
  }, 240_000); // three PGlite data directories opened in turn: tens of seconds on a busy machine
});
