import { sql } from "@/lib/db";
import { describe, expect, it } from "vitest";
import { Breakers } from "@/lib/delivery/engine/breaker";
import { dispatchBatch } from "@/lib/delivery/engine/dispatcher";
import type { GuardedHttpClient } from "@/lib/delivery/transport/http-client";
import { newId } from "@/lib/core/ids";
import { createLead } from "@/lib/leads/mutations";
import { encryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// An unexpected exception while one delivery is sent (a bug in an auth method, a parser) must
// stay that delivery's problem: the rest of the batch is recorded, nothing is left leased.

const prisma = useTestDatabase();
const loopback = useLoopbackClient();
const TOKEN = "bearer-secret-token-42";

describe("one delivery's exception", () => {
  it("does not fail the batch; it is recorded as an attempt with no response, credentials scrubbed", async () => {
    const rx = await startReceiver();
    const { org } = await createWebhookOrg(prisma());
    const base = { organizationId: org.id, title: "R", events: ["lead.created"] };
    await prisma().webhookRule.create({ data: { id: newId("rule"), ...base, url: `${rx.url}/fine` } });
    const broken = await prisma().webhookRule.create({
      data: {
        id: newId("rule"), ...base, url: `${rx.url}/boom`,
        authType: "BEARER", authConfigEncrypted: encryptAuthConfig({ type: "BEARER", prefix: "Bearer", token: TOKEN }),
      },
    });
    // A sender that throws for one URL, with the credential it was given in the message.
    const client = {
      send: async (req: Parameters<GuardedHttpClient["send"]>[0]) => {
        if (req.url.endsWith("/boom")) throw new Error(`kaboom with ${req.headers.Authorization}`);
        return loopback.send(req);
      },
    } as unknown as GuardedHttpClient;
    await createLead(await sql(), org.id, { email: "boom@x.test" });

    expect(await dispatchBatch({ prisma: prisma(), client })).toMatchObject({ claimed: 2, succeeded: 1, retrying: 1 });
    const rows = await prisma().delivery.findMany({ where: { organizationId: org.id }, include: { attempts: true } });
    const fine = rows.find((d) => d.ruleId !== broken.id)!;
    const boom = rows.find((d) => d.ruleId === broken.id)!;
    expect(fine).toMatchObject({ state: "SUCCEEDED", leaseOwner: null });
    expect(boom).toMatchObject({ state: "PENDING", attemptCount: 1, lastStatusCode: 999, leaseOwner: null });
    expect(boom.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    expect(boom.lastError).toMatch(/^Internal error while sending: kaboom with Bearer \[redacted\]/);
    expect(boom.attempts).toHaveLength(1);
    expect(boom.attempts[0]).toMatchObject({ number: 1, statusCode: 999, errorClass: "internal" });
    expect(JSON.stringify(boom)).not.toContain(TOKEN);
    await rx.close();
  });

  it("is ours, not the endpoint's: many in a row neither pause the rule (its circuit breaker counted them) nor disable it (its health counted them)", async () => {
    const { org } = await createWebhookOrg(prisma(), { autoDisableThreshold: 3 });
    const rule = await prisma().webhookRule.create({
      data: { id: newId("rule"), organizationId: org.id, title: "R", events: ["lead.created"], url: "https://hooks.example.test/boom", retryPolicy: { kind: "schedule", delaysSeconds: [0] } },
    });
    const client = { send: async () => { throw new Error("a bug of ours"); } } as unknown as GuardedHttpClient;
    for (let i = 0; i < 8; i++) await createLead(await sql(), org.id, { email: `bug${i}@x.test` });
    const breakers = new Breakers({ threshold: 3, cooldownMs: 60_000 });

    // One attempt each (no retry): every delivery FAILED, as auto-disable counts.
    expect(await dispatchBatch({ prisma: prisma(), client, breakers })).toMatchObject({ claimed: 8, failed: 8 });
    const after = await prisma().webhookRule.findUniqueOrThrow({ where: { id: rule.id } });
    expect({ pausedUntil: after.pausedUntil, room: breakers.room(rule.id, Date.now()) }).toEqual({ pausedUntil: null, room: Infinity });
    expect({ enabled: after.enabled, consecutiveFailures: after.consecutiveFailures, disabledReason: after.disabledReason }).toEqual({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    expect(await prisma().notification.findMany({ where: { ruleId: rule.id }, select: { kind: true } })).toEqual([]);
    const attempts = await prisma().deliveryAttempt.findMany({ where: { delivery: { ruleId: rule.id } } });
    expect(attempts.map((a) => a.errorClass)).toEqual(Array(8).fill("internal"));
  });
});
