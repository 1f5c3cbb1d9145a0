"use server";

import { revalidatePath } from "next/cache";
import { authedAction } from "@/lib/auth/action";
import { addUser, changeUserRole, removeUser } from "@/lib/users/mutations";
import { addUserSchema, changeUserRoleSchema, idInputSchema } from "@/lib/orgs/settings-schema";

export const addUserAction = authedAction({ schema: addUserSchema, role: "ADMIN" }, async (input, ctx) => {
  const user = await addUser(ctx.prisma, ctx.organizationId, input);
  revalidatePath("/settings");
  return user;
});

export const changeUserRoleAction = authedAction({ schema: changeUserRoleSchema, role: "ADMIN" }, async (input, ctx) => {
  await changeUserRole(ctx.prisma, ctx.organizationId, input.id, input.role);
  revalidatePath("/settings");
  return null;
});

export const removeUserAction = authedAction({ schema: idInputSchema, role: "ADMIN" }, async (input, ctx) => {
  await removeUser(ctx.prisma, ctx.organizationId, ctx.user.id, input.id);
  revalidatePath("/settings");
  return null;
});
