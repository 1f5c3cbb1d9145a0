"use server";

import { revalidatePath } from "next/cache";
import { createApiKey, revokeApiKey } from "@/lib/api/keys";
import { apiKeyNameSchema, apiKeyRefSchema } from "@/lib/api/key-schema";
import { authedAction } from "@/lib/auth/action";

// API keys for the REST API. The plain key leaves the server exactly once, in the response to
// its creation; only its SHA-256 and a short prefix are stored.

export const createApiKeyAction = authedAction({ schema: apiKeyNameSchema, role: "ADMIN" }, async ({ name }, ctx) => {
  const { key, record } = await createApiKey(ctx.prisma, ctx.organizationId, name, ctx.user.id);
  revalidatePath("/settings");
  return { id: record.id, name: record.name, prefix: record.prefix, key };
});

/** Revoking is final: requests with the key get 401 from then on. Other organizations' ids are not found. */
export const revokeApiKeyAction = authedAction({ schema: apiKeyRefSchema, role: "ADMIN" }, async ({ id }, ctx) => {
  await revokeApiKey(ctx.prisma, ctx.organizationId, id);
  revalidatePath("/settings");
  return { id };
});
