import { parseTableParams, tableParamsSchema, type RawSearchParams, type TableParams } from "@/lib/core/list-params";
import { likeLiteral } from "@/lib/core/list-params";
import type { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
import type { NotificationKind } from "@/lib/generated/prisma/enums";
import { errorReportDataSchema, statusLabel } from "./content";

// The notifications page and the navigation's unread count. Every query is scoped to the
// organization. Read state is the organization's (one readAt), like a shared inbox.

export const NOTIFICATION_SORT_KEYS = ["created", "kind"] as const;
export type NotificationSortKey = (typeof NOTIFICATION_SORT_KEYS)[number];
const paramsSchema = tableParamsSchema({ sortKeys: NOTIFICATION_SORT_KEYS, defaultSort: "created", defaultDir: "desc" });

export function parseNotificationListParams(raw: RawSearchParams | URLSearchParams | undefined): TableParams<NotificationSortKey> {
  return parseTableParams(paramsSchema, raw);
}

export interface ListedNotification {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  rule: { id: string; title: string } | null;
  /** An error report's most recent failed deliveries. */
  deliveries: { id: string; at: string; label: string }[];
  createdAt: Date;
  readAt: Date | null;
  emailedAt: Date | null;
  emailError: string | null;
}

export async function listNotifications(prisma: PrismaClient, organizationId: string, params: TableParams<NotificationSortKey>) {
  const where: Prisma.NotificationWhereInput = { organizationId };
  if (params.q) where.OR = [{ title: { contains: likeLiteral(params.q), mode: "insensitive" } }, { body: { contains: likeLiteral(params.q), mode: "insensitive" } }];
  const orderBy: Prisma.NotificationOrderByWithRelationInput[] =
    params.sort === "kind" ? [{ kind: params.dir }, { createdAt: "desc" }, { id: "desc" }] : [{ createdAt: params.dir }, { id: params.dir }];
  const total = await prisma.notification.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / params.size));
  const page = Math.min(params.page, pageCount);
  const rows = await prisma.notification.findMany({
    where,
    orderBy,
    skip: (page - 1) * params.size,
    take: params.size,
    select: { id: true, kind: true, title: true, body: true, data: true, createdAt: true, readAt: true, emailedAt: true, emailError: true, rule: { select: { id: true, title: true } } },
  });
  return {
    rows: rows.map(({ data, ...n }): ListedNotification => {
      const report = n.kind === "ERROR_REPORT" ? errorReportDataSchema.safeParse(data) : null;
      const deliveries = report?.success ? report.data.recent.map((f) => ({ id: f.deliveryId, at: f.at, label: statusLabel(f.statusCode, f.errorClass) })) : [];
      return { ...n, deliveries };
    }),
    total,
    page,
    pageCount,
    size: params.size,
    sort: params.sort,
    dir: params.dir,
    q: params.q,
  };
}

export function countUnreadNotifications(prisma: PrismaClient, organizationId: string): Promise<number> {
  return prisma.notification.count({ where: { organizationId, readAt: null } });
}

/** Marks the given notifications (or all, when ids is "all") read; returns how many changed. */
export async function markNotificationsRead(prisma: PrismaClient, organizationId: string, ids: string[] | "all", now = new Date()): Promise<number> {
  const { count } = await prisma.notification.updateMany({
    where: { organizationId, readAt: null, ...(ids === "all" ? {} : { id: { in: ids } }) },
    data: { readAt: now },
  });
  return count;
}
