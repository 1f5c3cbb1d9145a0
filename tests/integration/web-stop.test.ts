import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openDatabase } from "@/lib/db";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { freePort } from "@/scripts/pg-cluster.mjs";
import { spawnWebProcess } from "../helpers/app-processes";
import { ensureBuilt } from "../helpers/build";
import { createWebhookOrg, databaseForAProcess } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";

// The web server (scripts/serve.ts, as `npm start` runs it) delivering inline, the default: on
// SIGTERM it stops claiming, lets the request in flight end and records it, then exits 0. Before,
// it exited at once, and every request in flight at a deploy was sent again once its lease ran out.

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));
beforeAll(ensureBuilt, 900_000); // a build, or waiting for the browser suite's: minutes on a busy machine


describe("the web server delivering inline", () => {
  it("on SIGTERM records the request in flight before it exits 0: the delivery is not sent again", async () => {
    // The receiver answers 1.5 s after the request arrives: SIGTERM lands while it is in flight.
    const rx = await startReceiver(() => ({ status: 200, body: "ok", delayMs: 1_500 }));
    cleanups.push(() => void rx.close());
    const { url, remove } = await databaseForAProcess("webstop");
    cleanups.push(remove);
    const seed = await openDatabase(url, "test");
    const { org } = await createWebhookOrg(seed.prisma);
    await seed.prisma.webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: `${rx.url}/hook` } });
    const { deliveryIds } = await createLead(seed.sql, org.id, { email: "web-stop@example.test" });
    expect(deliveryIds).toHaveLength(1);
    await seed.close();

    const web = spawnWebProcess(url, await freePort(), (kill) => cleanups.push(kill), { ALLOWED_PRIVATE_NETWORKS: "127.0.0.0/8", ALLOW_INSECURE_URLS: "true", DELIVERY_FALLBACK_TICK_SECONDS: "1" });
    await vi.waitFor(() => expect(rx.received.length, web.output()).toBe(1), { timeout: 150_000, interval: 50 });
    web.child.kill("SIGTERM");
    expect(await web.exited, web.output()).toBe(0);

    const after = await openDatabase(url, "test");
    try {
      const d = await after.prisma.delivery.findUniqueOrThrow({ where: { id: deliveryIds[0] } });
      expect(d).toMatchObject({ state: "SUCCEEDED", attemptCount: 1, lastStatusCode: 200, leaseOwner: null });
      expect(await after.prisma.deliveryAttempt.count({ where: { deliveryId: deliveryIds[0] } })).toBe(1);
    } finally {
      await after.close();
    }
    expect(rx.received.map((r) => [r.path, r.headers["webhook-id"]])).toEqual([["/hook", deliveryIds[0]]]);
  }, 240_000);
});
