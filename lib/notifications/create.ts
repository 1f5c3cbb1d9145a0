import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import type { NotificationKind } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/core/ids";
import type { NotificationContent } from "./content";

/** Stores a notification; sendPendingNotifications emails it to the organization's admins. */
export async function createNotification<D extends Prisma.InputJsonObject>(
  prisma: Pick<PrismaClient, "notification">,
  input: { organizationId: string; ruleId: string | null; kind: NotificationKind; content: NotificationContent<D>; now: Date },
): Promise<string> {
  const id = newId("ntf");
  await prisma.notification.create({
    data: {
      id,
      organizationId: input.organizationId,
      ruleId: input.ruleId,
      kind: input.kind,
      title: input.content.title,
      body: input.content.body,
      data: input.content.data,
      createdAt: input.now,
    },
  });
  return id;
}
