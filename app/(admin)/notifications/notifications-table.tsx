"use client";

import { Bell, SearchX } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";
import { createColumnHelper, DataTable, type DataTableFeatures, type ListPage } from "@/components/data-table";
import { formatUtc } from "@/lib/core/format";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import type { ListedNotification } from "@/lib/notifications/queries";
import { MarkReadButton } from "./mark-read-buttons";

const helper = createColumnHelper<DataTableFeatures, ListedNotification>();

const KIND = {
  ERROR_REPORT: { label: "Error report", tone: "red" },
  FAILURE_WARNING: { label: "Warning", tone: "yellow" },
  RULE_DISABLED: { label: "Rule disabled", tone: "red" },
  CAP_REACHED: { label: "Cap reached", tone: "yellow" },
} as const;

function emailText(n: ListedNotification): string {
  if (n.emailError) return n.emailedAt ? `Emailed, with errors: ${n.emailError}` : `Email failed: ${n.emailError}`;
  return n.emailedAt ? `Emailed ${formatUtc(n.emailedAt)}` : "Not emailed";
}

function columns(canEdit: boolean) {
  return helper.columns([
    helper.accessor("createdAt", {
      id: "created",
      header: "Received",
      cell: ({ getValue }) => <time dateTime={getValue().toISOString()}>{formatUtc(getValue())}</time>,
      meta: { className: "whitespace-nowrap text-xs" },
    }),
    helper.accessor("kind", {
      id: "kind",
      header: "Kind",
      cell: ({ getValue }) => <Badge tone={KIND[getValue()].tone}>{KIND[getValue()].label}</Badge>,
      meta: { className: "whitespace-nowrap" },
    }),
    helper.accessor("title", {
      id: "notification",
      header: "Notification",
      enableSorting: false,
      cell: ({ row }) => {
        const n = row.original;
        return (
          <div className="min-w-72 space-y-1">
            <p className={n.readAt ? "text-slate-700" : "font-semibold text-slate-900"}>
              {!n.readAt && <span className="mr-1.5 inline-block h-2 w-2 rounded-full bg-brand-600" aria-hidden />}
              {n.title}
              {!n.readAt && <span className="sr-only"> (unread)</span>}
            </p>
            <p className="text-xs text-slate-600">{n.body}</p>
            {n.deliveries.length > 0 && (
              <ul className="flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Failed deliveries">
                {n.deliveries.map((d) => (
                  <li key={`${d.id}-${d.at}`}>
                    <Link href={`/deliveries/${encodeURIComponent(d.id)}`} className="text-brand-700 hover:underline">
                      {d.label} at {formatUtc(d.at)}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            {n.rule && (
              <Link href={`/rules/${encodeURIComponent(n.rule.id)}`} className="text-xs text-brand-700 hover:underline">
                Rule: {n.rule.title}
              </Link>
            )}
            <p className="text-xs text-slate-500">{emailText(n)}</p>
          </div>
        );
      },
    }),
    helper.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) => (canEdit && !row.original.readAt ? <MarkReadButton id={row.original.id} title={row.original.title} /> : null),
      meta: { className: "w-36 text-right" },
    }),
  ]);
}

export function NotificationsTable({ canEdit, ...list }: ListPage<ListedNotification> & { canEdit: boolean }) {
  const cols = useMemo(() => columns(canEdit), [canEdit]);
  return (
    <DataTable
      label="Notifications"
      columns={cols}
      getRowId={(n) => n.id}
      {...list}
      filterPlaceholder="Rule or text"
      emptyState={
        <EmptyState
          icon={<Bell aria-hidden className="h-8 w-8" />}
          title="No notifications"
          description="Error reports, warnings about failing rules and automatic disables appear here (and by email when SMTP is configured)."
        />
      }
      noMatchState={
        <EmptyState
          icon={<SearchX aria-hidden className="h-8 w-8" />}
          title="No notifications match your filter"
          description={<>Nothing matches “{list.q}”.</>}
          action={
            <Link href="/notifications" className={buttonClass("secondary")}>
              Clear filter
            </Link>
          }
        />
      }
    />
  );
}
