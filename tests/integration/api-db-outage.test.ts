import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { GET as getLead } from "@/app/api/v1/leads/[id]/route";
import { GET as listWebhooks } from "@/app/api/v1/webhooks/route";
import { createApiKey } from "@/lib/api/keys";
import { openDatabase, setDatabase, type Database } from "@/lib/db";
import { createScratchDatabase, startPostgres } from "@/scripts/pg-cluster.mjs";
import { routeCaller } from "../helpers/api";
import { createTestOrg } from "../helpers/db";

// While the database restarts, the API answers 503 with Retry-After (the client should send the
// request again), never a 500, and stores nothing. This file runs its own PostgreSQL cluster,
// whatever TEST_DATABASE says, because it stops and starts the server.

let cluster: Awaited<ReturnType<typeof startPostgres>>;
let handle: Database;
let key: string;
let orgId: string;

beforeAll(async () => {
  cluster = await startPostgres({ maxConnections: 20 });
  const { url } = await createScratchDatabase(cluster.url, "outage");
  handle = await openDatabase(url, "test");
  setDatabase(handle);
  const { org } = await createTestOrg(handle.prisma, "Outage Co");
  orgId = org.id;
  key = (await createApiKey(handle.prisma, org.id, "outage")).key;
});
afterAll(async () => {
  setDatabase(undefined);
  await handle?.close().catch(() => {});
  cluster?.stop();
});

const call = routeCaller(() => key);
type ErrorBody = { error: { code: string; message: string } };

async function expectUnavailable(res: Response) {
  const body = (await res.json()) as ErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(503);
  expect(res.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(body.error.code).toBe("database_unavailable");
  expect(body.error.message).toMatch(/retry/i);
}

describe("REST API while the database restarts", () => {
  it("answers 503 with Retry-After while PostgreSQL is down, stores no lead, and works again once it is back", async () => {
    const first = await call(postLead, { body: { email: "before@example.test" } });
    expect(first.status).toBe(201);
    const { id } = (await first.json()) as { id: string };

    cluster.pause("fast"); // the pooled connections are terminated (57P01), then nothing listens
    // The first request meets a pooled connection the server terminated; the next ones find no server.
    for (let i = 0; i < 3; i++) await expectUnavailable(await call(postLead, { body: { email: `during-${i}@example.test` } }));
    await expectUnavailable(await call(postLead, { body: { email: "idem@example.test" }, headers: { "idempotency-key": "outage-1" } }));
    await expectUnavailable(await call(getLead, { id }));
    await expectUnavailable(await call(listWebhooks));

    cluster.resume();
    const after = await call(postLead, { body: { email: "after@example.test" }, headers: { "idempotency-key": "outage-1" } });
    expect(after.status).toBe(201);
    const leads = await handle.prisma.lead.findMany({ where: { organizationId: orgId }, select: { email: true }, orderBy: { createdAt: "asc" } });
    expect(leads.map((l) => l.email)).toEqual(["before@example.test", "after@example.test"]);
  });

  it("answers 503 when the database cannot be opened at all (the server started while it was down)", async () => {
    setDatabase(undefined);
    const saved = process.env.DATABASE_URL;
    const port = new URL(cluster.url).port;
    cluster.pause("immediate");
    try {
      process.env.DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`;
      const { resetEnvCache } = await import("@/lib/core/env");
      resetEnvCache();
      await expectUnavailable(await call(postLead, { body: { email: "cold@example.test" } }));
    } finally {
      cluster.resume();
      process.env.DATABASE_URL = saved;
      (await import("@/lib/core/env")).resetEnvCache();
      setDatabase(handle);
    }
    // As a client would: retry on 503 (each retry meets at most one pooled connection the
    // immediate stop left dead) until the restarted server answers.
    const statuses: number[] = [];
    for (let i = 0; i < 20 && statuses.at(-1) !== 200; i++) statuses.push((await call(listWebhooks)).status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.filter((s) => s !== 503 && s !== 200)).toEqual([]);
  });
});
