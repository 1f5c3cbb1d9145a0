"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/auth/action";
import { deleteDisabledRule, toggleRuleEnabled } from "@/lib/rules/status";

// Actions of the Webhook Rules list. Admins only: the list hides the buttons from viewers, but the
// check that counts is here.

const ruleRef = z.object({ ruleId: z.string().trim().min(1).max(100) });

export const toggleRuleAction = authedAction({ schema: ruleRef, role: "ADMIN" }, async ({ ruleId }, { prisma, organizationId }) => {
  const result = await toggleRuleEnabled(prisma, organizationId, ruleId);
  revalidatePath("/rules");
  return result;
});

export const deleteRuleAction = authedAction({ schema: ruleRef, role: "ADMIN" }, async ({ ruleId }, { prisma, organizationId }) => {
  const result = await deleteDisabledRule(prisma, organizationId, ruleId);
  revalidatePath("/rules");
  return result;
});
