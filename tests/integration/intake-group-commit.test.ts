import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as postLead } from "@/app/api/v1/leads/route";
import { createApiKey } from "@/lib/api/keys";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { sql } from "@/lib/db";
import { insertAll, type Sql } from "@/lib/db/sql";
import { routeCaller } from "../helpers/api";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { until } from "../helpers/until";

// Group commit of lead intake (lib/db/coalesce.ts) against the real database: leads posted at once
// share insert statements, and each request still gets its own lead, event and deliveries, its own
// answer, and its own failure.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
let org: { id: string };
let key: string;
const call = routeCaller(() => key);

/** An organization with these rules on lead.created (never sent: no dispatcher runs here) and an API key. */
async function orgWithRules(...titles: string[]): Promise<{ id: string; key: string }> {
  const { org: o } = await createWebhookOrg(prisma());
  for (const title of titles) {
    await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: o.id, title, events: ["lead.created"], url: "http://127.0.0.1:9/none" } });
  }
  return { id: o.id, key: (await createApiKey(prisma(), o.id, titles.join(" "))).key };
}

beforeAll(async () => {
  ({ key, ...org } = await orgWithRules("CRM", "Buyer"));
});

/** Counts the insert statements run through the process's shared handle while `body` runs. */
async function countingInserts<T>(body: () => Promise<T>): Promise<{ result: T; inserts: number }> {
  const shared = (await sql()) as { query: Sql["query"] };
  const query = shared.query;
  let inserts = 0;
  shared.query = ((text: string, params?: readonly unknown[], name?: string) => {
    if (text.startsWith("WITH ") && text.includes("INSERT INTO")) inserts++;
    return query.call(shared, text, params, name);
  }) as Sql["query"];
  try {
    return { result: await body(), inserts };
  } finally {
    shared.query = query;
  }
}

describe(`lead intake group commit (${TEST_DATABASE})`, () => {
  afterAll(async () => {
    await prisma().delivery.deleteMany({ where: { organizationId: org.id } });
  });

  it("40 leads posted at once: each answered 201 with its own lead and 2 deliveries, all stored, in fewer statements than requests", async () => {
    // The key's first lead: the process checks the key and remembers it; the burst's inserts are
    // then guarded by it, and only those merge.
    expect((await call(postLead, { body: { email: "first@example.test" } })).status).toBe(201);
    const emails = Array.from({ length: 40 }, (_, i) => `burst${i}@example.test`);
    const { result: answers, inserts } = await countingInserts(() =>
      Promise.all(emails.map(async (email) => {
        const res = await call(postLead, { body: { email, firstName: email.slice(0, 7) } });
        return { status: res.status, body: (await res.json()) as { id: string; email: string; webhooks: { deliveryId: string; ruleTitle: string }[] } };
      })),
    );
    expect(answers.map((a) => a.status)).toEqual(emails.map(() => 201));
    expect(answers.map((a) => a.body.email)).toEqual(emails);
    expect(inserts).toBeLessThan(emails.length);

    const leads = await prisma().lead.findMany({ where: { organizationId: org.id, email: { in: emails } }, include: { events: { include: { deliveries: true } } } });
    expect(leads).toHaveLength(40);
    for (const answer of answers) {
      const lead = leads.find((l) => l.id === answer.body.id)!;
      expect(lead.email).toBe(answer.body.email);
      expect(lead.events).toHaveLength(1);
      // The deliveries the answer named are this lead's, rendered from this lead.
      const deliveries = lead.events[0]!.deliveries;
      expect(deliveries).toHaveLength(2);
      expect(deliveries.map((d) => d.id).sort()).toEqual(answer.body.webhooks.map((w) => w.deliveryId).sort());
      for (const d of deliveries) expect(JSON.parse(d.requestBody).data.lead.email).toBe(lead.email);
    }
  });

  it("the same Idempotency-Key posted 8 times at once makes one lead, and every answer names it", async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await call(postLead, { body: { email: "same-key@example.test" }, headers: { "idempotency-key": "burst-key" } });
        return { status: res.status, id: ((await res.json()) as { id: string }).id };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    expect(await prisma().lead.count({ where: { email: "same-key@example.test" } })).toBe(1);
  });

  it("a write that fails among concurrent ones under one guard fails alone: the others are stored", async () => {
    const taken = (await prisma().lead.findFirstOrThrow({ where: { organizationId: org.id } })).id;
    const columns = { id: "text", organizationId: "text", email: "text", createdAt: "timestamp", updatedAt: "timestamp" } as const;
    const q = await sql();
    // Under one guard, as intake's writes are (only guarded writes merge).
    const guard = { text: `SELECT 1 FROM "Organization" WHERE id = $1`, params: [org.id] };
    const write = (id: string, email: string) =>
      insertAll(q, [{ table: "Lead", columns, rows: [{ id, organizationId: org.id, email, createdAt: new Date(), updatedAt: new Date() }] }], guard).then(
        () => "stored",
        (err: Error) => err.message,
      );
    const ids = Array.from({ length: 10 }, () => newId("lead"));
    // The first two go at once; the other nine wait and go as one statement, which fails on the
    // clash and is run again call by call.
    const outcomes = await Promise.all([...ids.map((id, i) => write(id, `alone${i}@example.test`)), write(taken, "clash@example.test")]);
    expect(outcomes.slice(0, 10)).toEqual(ids.map(() => "stored"));
    expect(outcomes[10]).toMatch(/duplicate key|unique/i);
    expect(await prisma().lead.count({ where: { id: { in: ids } } })).toBe(10);
    expect(await prisma().lead.count({ where: { email: "clash@example.test" } })).toBe(0);
  });
});

// On PostgreSQL one organization's locked row (saving a chain or deleting a rule holds it) stalls
// only that organization's inserts: writes merge only under one API key's guard, and a write
// without a guard (a request with Idempotency-Key, a key's first lead) never waits for another's.
// (On PGlite every statement waits for the one holding the database anyway.)
if (TEST_DATABASE === "postgres") {
  describe("lead intake while another organization's row is locked (postgres)", () => {
    it("every kind of post of one organization is answered while another organization's row is held", async () => {
      const [x, y] = await Promise.all([orgWithRules("X"), orgWithRules("Y")]);
      const post = (k: string, email: string, idem?: string) =>
        call(postLead, { key: k, body: { email }, ...(idem ? { headers: { "idempotency-key": idem } } : {}) }).then((r) => r.status);
      // Both keys remembered, so plain posts are guarded (and merge) as under load.
      expect([await post(x.key, "x0@x.test"), await post(y.key, "y0@y.test")]).toEqual([201, 201]);

      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const lock = prisma().$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1 FROM "Organization" WHERE id = ${x.id} FOR UPDATE`;
        locked();
        await held;
      }, { timeout: 300_000, maxWait: 60_000 });
      await isLocked;
      let xSettled = 0;
      const xs = [post(x.key, "x1@x.test", "x-1"), post(x.key, "x2@x.test", "x-2"), post(x.key, "x3@x.test"), post(x.key, "x4@x.test")].map((p) => p.finally(() => xSettled++));
      await until(async () => {
        const [row] = await prisma().$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH %INSERT INTO%'`;
        return row!.n >= 3; // X's keyed posts each, and its plain ones (merged or not)
      }, 60_000);

      const ys = await Promise.all([
        ...Array.from({ length: 4 }, (_, i) => post(y.key, `y-keyed${i}@y.test`, `y-${i}`)),
        ...Array.from({ length: 4 }, (_, i) => post(y.key, `y-plain${i}@y.test`)),
      ]);
      expect(ys).toEqual(ys.map(() => 201));
      expect(xSettled).toBe(0); // X's posts still wait for the lock
      release();
      await lock;
      expect(await Promise.all(xs)).toEqual([201, 201, 201, 201]);
    });
  });
}
