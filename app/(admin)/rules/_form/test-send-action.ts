"use server";

import { revalidatePath } from "next/cache";
import { authedAction } from "@/lib/auth/action";
import { testSendBodySchema } from "@/lib/api/webhooks/test-send";
import { outbound } from "@/lib/delivery/engine/runtime";
import { sendTestLead } from "@/lib/rules/test-send";
import { z } from "zod";

/** "Send a test lead" on a saved rule's form: the sample lead (or a chosen one) through the saved rule, to its URL or a test URL. */
export const sendTestLeadAction = authedAction(
  { schema: z.object({ ruleId: z.string().trim().min(1).max(100), options: testSendBodySchema }), role: "ADMIN" },
  async ({ ruleId, options }, { prisma, sql, organizationId }) => {
    const result = await sendTestLead(prisma, sql, organizationId, { ruleId, leadId: options.leadId || null, url: options.url || null }, outbound());
    revalidatePath("/deliveries");
    return result;
  },
);
