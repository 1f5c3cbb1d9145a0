import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { setDatabase, type Database } from "@/lib/db";
import { runDispatcher, wireDispatcher } from "@/lib/delivery/engine/runtime";
import { retryDelivery } from "@/lib/delivery/log/requeue";
import { onWake } from "@/lib/delivery/wake";
import { WAKE_CHANNEL } from "@/lib/delivery/wake-signal";
import { consumeDispatchReport } from "@/lib/health/report";
import { createLead } from "@/lib/leads/mutations";
import { commitEvents } from "@/lib/outbox/commit";
import { createWebhookOrg, freshDatabase, TEST_DATABASE } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { startWorker, type WorkerProcess } from "../helpers/worker";

// Deliveries start when they are queued, not on the next tick. On PostgreSQL a worker process
// (`npm run worker`, its fallback tick set to 60 s) is woken by the NOTIFY that this process's
// commit sends, and listens again after its connection is cut. On PGlite this process's own
// dispatcher, wired as the web process wires it but with no ticker at all, is woken in-process.
// Either way each delivery must arrive well within the 60 s a tick would have taken.

const WITHIN_MS = 20_000;
const postgres = TEST_DATABASE === "postgres";
const cleanups: (() => void)[] = [];
let database: Database & { url: string };
let rx: Awaited<ReturnType<typeof startReceiver>>;
let worker: WorkerProcess | null = null;

beforeAll(async () => {
  process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8"; // this process's dispatcher reaches the loopback receiver
  process.env.ALLOW_INSECURE_URLS = "true";
  resetEnvCache();
  database = await freshDatabase();
  setDatabase(database);
  rx = await startReceiver(() => ({ status: 200, body: "ok" }));
});
afterAll(async () => {
  cleanups.forEach((c) => c());
  onWake(() => {});
  await runDispatcher(); // let a woken dispatch finish before the database closes
  setDatabase(undefined);
  await database.close();
  await rx.close();
  delete process.env.ALLOWED_PRIVATE_NETWORKS;
  delete process.env.ALLOW_INSECURE_URLS;
  resetEnvCache();
});

/** The backends of the database LISTENing on the wake-up channel (the worker's connection). */
async function listeners(): Promise<number[]> {
  const rows = await database.prisma.$queryRawUnsafe<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN ${WAKE_CHANNEL}'`,
  );
  return rows.map((r) => r.pid);
}

const arrived = (id: string) => rx.received.filter((r) => r.headers["webhook-id"] === id).length;

async function expectDeliveredSoon(deliveryId: string, times: number, since: number) {
  await vi.waitFor(() => expect(arrived(deliveryId), worker?.output()).toBe(times), { timeout: WITHIN_MS, interval: 25 });
  expect(Date.now() - since).toBeLessThan(WITHIN_MS);
  await vi.waitFor(async () => expect((await database.prisma.delivery.findUniqueOrThrow({ where: { id: deliveryId } })).attemptCount).toBe(times), { timeout: WITHIN_MS });
}

describe("wake-up without polling", () => {
  let orgId: string;
  let firstDelivery: string;

  it(postgres ? "a worker delivers a backlog at start, then an event this process commits, woken by NOTIFY" : "this process's dispatcher delivers a committed event at once, woken in-process, with no ticker", async () => {
    const { org } = await createWebhookOrg(database.prisma);
    orgId = org.id;
    await database.prisma.webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "R", events: ["lead.created"], url: `${rx.url}/hook` } });

    if (postgres) {
      // A backlog recorded before the worker runs: it starts on it at once, not on its first tick.
      const backlog = await createLead(database.sql, orgId, { email: "backlog@example.test" });
      const start = Date.now();
      worker = startWorker(database.url, (kill) => cleanups.push(kill), { DELIVERY_FALLBACK_TICK_SECONDS: "60" });
      await expectDeliveredSoon(backlog.deliveryIds[0]!, 1, start);
      expect(await listeners()).toHaveLength(1);
    } else {
      wireDispatcher(consumeDispatchReport); // as the web process with DELIVERY_WORKERS=inline; no ticker
    }

    const since = Date.now();
    const { deliveryIds } = await commitEvents(() => createLead(database.sql, orgId, { email: "woken@example.test" }));
    expect(deliveryIds).toHaveLength(1);
    firstDelivery = deliveryIds[0]!;
    await expectDeliveredSoon(firstDelivery, 1, since);
  });

  it(postgres ? "after its listening connection is cut, the worker logs it, listens again, and a Retry wakes it" : "a Retry queued in this process wakes its dispatcher at once", async () => {
    if (postgres) {
      const [before] = await listeners();
      await database.prisma.$queryRawUnsafe(`SELECT pg_terminate_backend(${before})`);
      await vi.waitFor(() => expect(worker!.output()).toMatch(/Delivery wake-up: not listening on PostgreSQL \(.+\); reconnecting with backoff/), { timeout: WITHIN_MS });
      await vi.waitFor(async () => expect((await listeners()).filter((pid) => pid !== before)).toHaveLength(1), { timeout: WITHIN_MS, interval: 50 });
      // One line for the drop, one once it listens again (an operator reading the log last saw the drop, before).
      await vi.waitFor(() => expect(worker!.output().match(/Delivery wake-up:.*/g)).toEqual([expect.stringMatching(/not listening/), "Delivery wake-up: listening on PostgreSQL again"]), { timeout: WITHIN_MS });
    }
    const since = Date.now();
    await retryDelivery(database.prisma, orgId, firstDelivery);
    await expectDeliveredSoon(firstDelivery, 2, since);
  });

  it(postgres ? "the worker stops on SIGTERM and its listening connection closes" : "wakeDispatcher sends no notification on PGlite: nothing else can open its data directory", async () => {
    if (postgres) {
      worker!.child.kill("SIGTERM");
      expect(await worker!.exited, worker!.output()).toBe(0);
      expect(worker!.output()).toMatch(/Delivery worker \d+ stopped\./);
      expect(await listeners()).toEqual([]);
    } else {
      // PGlite has no LISTEN across processes; the in-process wake-up alone delivered the cases above.
      expect(database.kind).toBe("pglite");
      expect(rx.received).toHaveLength(2);
    }
  });
});
