import type { Metadata } from "next";
import { redirect } from "next/navigation";
import type { RawSearchParams } from "@/lib/core/list-params";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { countUnreadNotifications, listNotifications, parseNotificationListParams } from "@/lib/notifications/queries";
import { MarkAllReadButton } from "./mark-read-buttons";
import { NotificationsTable } from "./notifications-table";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const params = parseNotificationListParams(await searchParams);
  const prisma = await db();
  const [list, unread] = await Promise.all([listNotifications(prisma, user.organizationId, params), countUnreadNotifications(prisma, user.organizationId)]);
  const canEdit = user.role === "ADMIN";
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Error reports (at most one an hour per rule), warnings as a rule nears its automatic disable, and disabled rules. Times are UTC."
        actions={canEdit && <MarkAllReadButton unread={unread} />}
      />
      <NotificationsTable {...list} canEdit={canEdit} />
    </>
  );
}
