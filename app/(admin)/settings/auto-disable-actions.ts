"use server";

import { revalidatePath } from "next/cache";
import { authedAction } from "@/lib/auth/action";
import { autoDisableSchema } from "@/lib/orgs/settings-schema";

/** Settings → Delivery health. Applies from the next failure (a rule already past it is disabled then). */
export const updateAutoDisableAction = authedAction({ schema: autoDisableSchema, role: "ADMIN" }, async (input, ctx) => {
  const saved = await ctx.prisma.organization.update({
    where: { id: ctx.organizationId },
    data: { autoDisableThreshold: input.autoDisableThreshold },
    select: { autoDisableThreshold: true },
  });
  revalidatePath("/settings");
  return saved;
});
