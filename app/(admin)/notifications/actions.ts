"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/auth/action";
import { NotFoundError } from "@/lib/core/errors";
import { countUnreadNotifications, markNotificationsRead } from "@/lib/notifications/queries";

// Notifications are the organization's shared inbox: anyone signed in reads them, marking them
// read changes what every admin sees, so it is an admin action.

const notificationRef = z.object({ id: z.string().trim().min(1).max(100) });

export const markNotificationReadAction = authedAction({ schema: notificationRef, role: "ADMIN" }, async ({ id }, { prisma, organizationId }) => {
  const count = await markNotificationsRead(prisma, organizationId, [id]);
  // Already read is fine; another organization's id looks like one that does not exist.
  if (!count && !(await prisma.notification.findFirst({ where: { id, organizationId }, select: { id: true } }))) throw new NotFoundError();
  revalidatePath("/notifications");
  return { count };
});

export const markAllNotificationsReadAction = authedAction({ schema: z.void(), role: "ADMIN" }, async (_input, { prisma, organizationId }) => {
  const count = await markNotificationsRead(prisma, organizationId, "all");
  revalidatePath("/notifications");
  return { count };
});

/** For the navigation's badge. */
export const unreadNotificationsCountAction = authedAction({ schema: z.void(), role: "VIEWER" }, async (_input, { prisma, organizationId }) => {
  return { count: await countUnreadNotifications(prisma, organizationId) };
});
