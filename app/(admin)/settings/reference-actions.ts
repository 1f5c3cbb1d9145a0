"use server";

import { revalidatePath } from "next/cache";
import { authedAction } from "@/lib/auth/action";
import { addReferenceItem, deleteReferenceItem, moveReferenceItem, renameReferenceItem } from "@/lib/reference/mutations";
import { addReferenceItemSchema, idInputSchema, moveReferenceItemSchema, renameReferenceItemSchema } from "@/lib/orgs/settings-schema";

// Reference lists feed the creation-rule fields of the rule form as well as this page.
function revalidate() {
  revalidatePath("/settings");
  revalidatePath("/rules", "layout");
}

export const addReferenceItemAction = authedAction({ schema: addReferenceItemSchema, role: "ADMIN" }, async (input, ctx) => {
  const item = await addReferenceItem(ctx.prisma, ctx.organizationId, input);
  revalidate();
  return { id: item.id, name: item.name };
});

export const renameReferenceItemAction = authedAction({ schema: renameReferenceItemSchema, role: "ADMIN" }, async (input, ctx) => {
  const item = await renameReferenceItem(ctx.prisma, ctx.organizationId, input.id, input.name);
  revalidate();
  return { id: item.id, name: item.name };
});

export const deleteReferenceItemAction = authedAction({ schema: idInputSchema, role: "ADMIN" }, async (input, ctx) => {
  await deleteReferenceItem(ctx.prisma, ctx.organizationId, input.id);
  revalidate();
  return null;
});

export const moveReferenceItemAction = authedAction({ schema: moveReferenceItemSchema, role: "ADMIN" }, async (input, ctx) => {
  await moveReferenceItem(ctx.prisma, ctx.organizationId, input.id, input.direction);
  revalidate();
  return null;
});
