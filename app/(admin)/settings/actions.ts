"use server";

import { z } from "zod";
import { authedAction } from "@/lib/auth/action";
import { getSigningKeys } from "@/lib/orgs/signing-keys";

/** The plain current signing key, for admins only: the one way it reaches the browser. */
export const revealSigningKeyAction = authedAction({ schema: z.void(), role: "ADMIN" }, async (_input, ctx) => {
  const { current } = await getSigningKeys(ctx.prisma, ctx.organizationId);
  return { key: current.secret };
});
