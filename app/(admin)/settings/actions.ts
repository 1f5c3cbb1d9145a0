"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/auth/action";
import { getSigningKeys, getSigningKeyStatus, rotateSigningKey } from "@/lib/signing/organization-keys";
import { organizationSchema } from "@/lib/orgs/settings-schema";

/** The plain current signing key, for admins only: the one way it reaches the browser. */
export const revealSigningKeyAction = authedAction({ schema: z.void(), role: "ADMIN" }, async (_input, ctx) => {
  const { current } = await getSigningKeys(ctx.prisma, ctx.organizationId);
  return { key: current.secret };
});

export const updateOrganizationAction = authedAction({ schema: organizationSchema, role: "ADMIN" }, async (input, ctx) => {
  const org = await ctx.prisma.organization.update({
    where: { id: ctx.organizationId },
    data: { name: input.name, webhooksEnabled: input.webhooksEnabled === "yes" },
    select: { name: true, webhooksEnabled: true },
  });
  // The organization's name shows in the navigation of every admin page.
  revalidatePath("/", "layout");
  return org;
});

/** New current key; the old one keeps signing for 24 hours. Returns only what the page shows. */
export const rotateSigningKeyAction = authedAction({ schema: z.void(), role: "ADMIN" }, async (_input, ctx) => {
  await rotateSigningKey(ctx.prisma, ctx.organizationId);
  const status = await getSigningKeyStatus(ctx.prisma, ctx.organizationId);
  revalidatePath("/settings");
  revalidatePath("/rules");
  return { masked: status.masked, previousExpiresAt: status.previousExpiresAt.map((d) => d.toISOString()) };
});
