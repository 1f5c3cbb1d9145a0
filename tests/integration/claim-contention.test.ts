import pg from "pg";
import { describe, expect, it } from "vitest";
import { sql } from "@/lib/db";
import type { Sql } from "@/lib/db/sql";
import { CLAIM_NAME, CLAIM_STATEMENT, claimOrLockedOut, claimParams } from "@/lib/delivery/engine/claim";
import { dispatchUntilIdle } from "@/lib/delivery/engine/dispatcher";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, TEST_DATABASE, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { useOwnConnections } from "../helpers/one-connection";
import { startReceiver } from "../helpers/receiver";

// Found by a reviewer: a claim locks up to each picked queue's room of due rows (FOR UPDATE SKIP
// LOCKED) before its limits per host and rule trim them, so while it runs another process's claim
// skips those rows and can come back empty though deliveries are due. A dispatcher with nothing in
// flight used to take that empty claim for "nothing due" and stop until the next wake-up (the next
// lead's notification, or the 10-second tick), leaving the rows the first claim did not take to
// wait. It now sees that it was locked out and looks again shortly.
//
// On PostgreSQL the first claim is held open in a transaction on its own connection. PGlite runs
// one statement at a time, so no claim can see another's locks: there the first claim has ended
// before the dispatcher starts, and the dispatcher must deliver the same rows.

const prisma = useTestDatabase();
const client = useLoopbackClient();
const ownConnection = useOwnConnections(prisma);

describe(`a claim locked out by another process's claim (${TEST_DATABASE})`, () => {
  it("is told so, and the dispatcher looks again and delivers what the other claim left", async () => {
    const rx = await startReceiver(() => ({ status: 200 }));
    try {
      const { org } = await createWebhookOrg(prisma());
      // Five rules on one host, ten leads: 50 deliveries due, five queues of ten.
      for (let i = 0; i < 5; i++) await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: `R${i}`, events: ["lead.created"], url: `${rx.url}/r${i}` } });
      for (let i = 0; i < 10; i++) await createLead(await sql(), org.id, { email: `c${i}@x.test` });
      const limits = { perRule: 16, perHost: 32 };
      // The other process's claim: 64 free slots, so each queue's 10 rows are read and locked, and the host limit keeps 32.
      const params = claimParams("other", new Date(), 60_000, { free: 64, rules: {}, hosts: {} }, limits, []);
      const base = await sql();
      let other: pg.PoolClient | null = null;
      let otherTook: number;
      if (TEST_DATABASE === "postgres") {
        other = await ownConnection();
        await other.query("BEGIN");
        otherTook = (await other.query({ text: CLAIM_STATEMENT, values: params as unknown[] })).rows.filter((r) => r.id !== null).length;
        // While it is open: due deliveries are there, all locked, and the claim says so.
        expect(await claimOrLockedOut(base, "probe", new Date(), 60_000, { free: 64, rules: {}, hosts: {} }, limits)).toEqual({ claimed: [], lockedOut: true, paused: [] });
      } else {
        otherTook = (await base.query(CLAIM_STATEMENT, params)).filter((r) => r.id !== null).length;
      }
      expect(otherTook).toBe(32);

      // The dispatcher starts with nothing in flight while the other claim still holds the rows. Its
      // first claim's answer reaches it only once the other has committed, however slow the machine.
      let claims = 0;
      let firstClaim!: () => void;
      const claimedOnce = new Promise<void>((resolve) => (firstClaim = resolve));
      let committed!: () => void;
      const otherDone = new Promise<void>((resolve) => (committed = resolve));
      const counting: Sql = {
        query: async (text, values, name, planning) => {
          const rows = await base.query(text, values, name, planning);
          if (name === CLAIM_NAME && ++claims === 1) {
            firstClaim();
            await otherDone;
          }
          return rows as never;
        },
      };
      const dispatched = dispatchUntilIdle({ prisma: prisma(), sql: counting, client, owner: "dispatcher", concurrency: 64, perRuleConcurrency: 16, perHostConcurrency: 32, budgetMs: 120_000 });
      await claimedOnce;
      if (other) {
        await other.query("COMMIT");
        other.release();
      }
      committed();
      const summary = await dispatched;
      expect(summary).toMatchObject({ claimed: 18, succeeded: 18 });
      expect(rx.received).toHaveLength(18);
      expect(await prisma().delivery.count({ where: { organizationId: org.id, state: "PENDING", leaseOwner: null } })).toBe(0);
    } finally {
      await rx.close();
    }
  }, 120_000);

  it("stops looking after a few tries when the rows stay locked (another transaction held open), as when nothing is due", async () => {
    const { org } = await createWebhookOrg(prisma());
    await prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "http://held.receiver.test/r" } });
    for (let i = 0; i < 3; i++) await createLead(await sql(), org.id, { email: `held${i}@x.test` });
    const base = await sql();
    let other: pg.PoolClient | null = null;
    if (TEST_DATABASE === "postgres") {
      // Someone else's transaction, left open, holding the due rows' locks.
      other = await ownConnection();
      await other.query("BEGIN");
      await other.query(`UPDATE "Delivery" SET "requestHeaders" = "requestHeaders" WHERE "organizationId" = $1 AND state = 'PENDING'`, [org.id]);
    }
    try {
      let claims = 0;
      const counting: Sql = {
        query: async (text, values, name, planning) => {
          if (name === CLAIM_NAME) claims++;
          return (await base.query(text, values, name, planning)) as never;
        },
      };
      if (other) {
        const summary = await dispatchUntilIdle({ prisma: prisma(), sql: counting, client, owner: "held", budgetMs: 60_000 });
        expect(summary.claimed).toBe(0);
        expect(claims).toBe(7); // the first claim and 6 more
      } else {
        // PGlite runs one statement at a time: nothing can hold the rows, and the claim takes them.
        const summary = await dispatchUntilIdle({ prisma: prisma(), sql: counting, client, owner: "held", budgetMs: 60_000 });
        expect(summary.claimed).toBe(3);
      }
    } finally {
      if (other) {
        await other.query("ROLLBACK");
        other.release();
      }
      await prisma().delivery.updateMany({ where: { organizationId: org.id }, data: { state: "FAILED", leaseOwner: null } });
    }
  }, 120_000);
});
