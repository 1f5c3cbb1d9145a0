"use server";

import { revalidatePath } from "next/cache";
import { authedAction } from "@/lib/auth/action";
import { replayDeliveries } from "@/lib/delivery/log/requeue";
import { replayFormSchema, replayRange } from "@/lib/delivery/log/replay-form";

/** "Replay…" on the delivery log: re-queues a rule's (or every rule's) deliveries in a time window. */
export const replayDeliveriesAction = authedAction({ schema: replayFormSchema, role: "ADMIN" }, async (input, { prisma, organizationId }) => {
  const range = replayRange(input.from, input.to)!; // the schema refused unreadable bounds
  const result = await replayDeliveries(prisma, organizationId, {
    ruleId: input.ruleId || undefined,
    from: range.from,
    to: range.to,
    states: input.includeSucceeded ? ["FAILED", "SKIPPED", "SUCCEEDED"] : ["FAILED", "SKIPPED"],
  });
  revalidatePath("/deliveries");
  return result;
});
