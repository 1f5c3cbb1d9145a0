"use server";

import { failure, unstorableFieldErrors, type ActionResult } from "@/lib/auth/action";
import { fieldErrorsOf } from "@/lib/core/field-errors";
import { db } from "@/lib/db";
import { createFirstAdmin } from "@/lib/orgs/setup";
import { setupSchema, type SetupInput } from "@/lib/orgs/setup-schema";

// The one action that runs without a session: it only works while no user exists at all.
export async function setupAction(input: SetupInput): Promise<ActionResult<{ email: string }>> {
  const unstorable = unstorableFieldErrors(input);
  if (unstorable) return { ok: false, code: "invalid", error: "Please correct the highlighted fields.", fieldErrors: unstorable };
  const parsed = setupSchema.safeParse(input);
  if (!parsed.success) return { ok: false, code: "invalid", error: "Please correct the highlighted fields.", fieldErrors: fieldErrorsOf(parsed.error.issues, "_form") };
  try {
    const { user } = await createFirstAdmin(await db(), { ...parsed.data, name: parsed.data.name || null });
    return { ok: true, data: { email: user.email } };
  } catch (err) {
    return failure(err);
  }
}
