import { describe, expect, it } from "vitest";
import { dispatchBatch } from "@/lib/delivery/dispatcher";
import { newId } from "@/lib/ids";
import { createLead } from "@/lib/leads/mutations";
import { createWebhookOrg, useTestDatabase } from "../helpers/db";
import { useLoopbackClient } from "../helpers/loopback-client";
import { startReceiver } from "../helpers/receiver";

// What the dispatcher does with an attempt, end to end against a real receiver: when the next
// attempt comes, and which failures are final.

const prisma = useTestDatabase();
const client = useLoopbackClient();

async function ruleFor(orgId: string, url: string, extra: Record<string, unknown> = {}) {
  return prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: orgId, title: "R", events: ["lead.created"], url, ...extra } });
}

/** One lead for the org, one dispatcher batch; the delivery with its attempts. */
async function deliverOnce(orgId: string) {
  const { deliveryIds } = await createLead(prisma(), orgId, { email: `${newId("x")}@example.test` });
  const before = Date.now();
  await dispatchBatch({ prisma: prisma(), client });
  const delivery = await prisma().delivery.findUniqueOrThrow({ where: { id: deliveryIds[0]! }, include: { attempts: true } });
  return { delivery, before };
}

describe("Retry-After", () => {
  it.each(["1.5", "-3", "1e3", "2030-01-01T00:00:00Z"])("a 503 with Retry-After %j (not an RFC 9110 value) is retried on the rule's schedule", async (value) => {
    const rx = await startReceiver(() => ({ status: 503, headers: { "retry-after": value }, body: "busy" }));
    const { org } = await createWebhookOrg(prisma());
    await ruleFor(org.id, rx.url);
    const { delivery, before } = await deliverOnce(org.id);
    expect(delivery).toMatchObject({ state: "PENDING", attemptCount: 1, lastStatusCode: 503 });
    // The default schedule's second attempt: 30 s, ±20% jitter.
    const wait = delivery.nextAttemptAt!.getTime() - before;
    expect(wait).toBeGreaterThanOrEqual(24_000);
    expect(wait).toBeLessThanOrEqual(36_000 + (Date.now() - before));
    await rx.close();
  });

  it.each([
    ["delay-seconds", (): string => "120", 120_000],
    ["an IMF-fixdate", (): string => new Date(Date.now() + 300_000).toUTCString(), 300_000],
  ] as const)("a 503 with Retry-After as %s is honoured", async (_form, value, expected) => {
    const rx = await startReceiver(() => ({ status: 503, headers: { "retry-after": value() }, body: "busy" }));
    const { org } = await createWebhookOrg(prisma());
    await ruleFor(org.id, rx.url);
    const { delivery, before } = await deliverOnce(org.id);
    const wait = delivery.nextAttemptAt!.getTime() - before;
    expect(wait).toBeGreaterThan(expected - 2_000);
    expect(wait).toBeLessThanOrEqual(expected + (Date.now() - before));
    await rx.close();
  });
});
