"use client";

import { Plus, SearchX, Webhook } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";
import { formatUtc } from "@/lib/core/format";
import { createColumnHelper, DataTable, type DataTableFeatures, type ListPage } from "@/components/data-table";
import type { SortDir } from "@/lib/core/list-params";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import type { ListedRule } from "@/lib/rules/list";
import { RuleDeleteButton } from "./delete-button";
import { RuleStatusToggle } from "./status-toggle";
import { RuleUrl } from "./url";

const helper = createColumnHelper<DataTableFeatures, ListedRule>();

function ruleColumns(canEdit: boolean) {
  return helper.columns([
    helper.accessor("enabled", {
      id: "status",
      header: "Status",
      cell: ({ row }) => <RuleStatusToggle ruleId={row.original.id} title={row.original.title} enabled={row.original.enabled} canEdit={canEdit} />,
      meta: { className: "w-20" },
    }),
    helper.accessor("title", {
      id: "title",
      header: "Title",
      cell: ({ row }) => (
        <div className="min-w-40 wrap-anywhere">
          <span className="font-medium text-slate-900">{row.original.title}</span>
          {!row.original.enabled && row.original.disabledReason && (
            <p className="mt-0.5 text-xs text-amber-700">
              {row.original.disabledReason}
              {row.original.disabledAt && <> · {formatUtc(row.original.disabledAt)}</>}
            </p>
          )}
          {row.original.enabled && row.original.paused && (
            <p className="mt-0.5 text-xs text-amber-700">Paused by the circuit breaker until {formatUtc(row.original.paused.until)}</p>
          )}
          {row.original.limits && <p className="mt-0.5 text-xs text-slate-600">{row.original.limits}</p>}
        </div>
      ),
    }),
    helper.accessor((r) => r.events.map((e) => e.label).join(", "), { id: "trigger", header: "Trigger", meta: { className: "min-w-28" } }),
    helper.accessor("url", { id: "url", header: "URL", cell: ({ getValue }) => <RuleUrl url={getValue()} /> }),
    helper.accessor("creationRules", {
      id: "creationRules",
      header: "Creation Rules",
      enableSorting: false,
      cell: ({ getValue }) => <span className="text-xs text-slate-600 wrap-anywhere">{getValue()}</span>,
      meta: { className: "min-w-40" },
    }),
    helper.display({
      id: "actions",
      header: () => <span className="sr-only">Actions</span>,
      cell: ({ row }) => (
        <div className="flex items-center justify-end gap-1">
          <Link href={`/rules/${encodeURIComponent(row.original.id)}`} className={buttonClass("ghost", "sm", "text-brand-700")}>
            {canEdit ? "Edit" : "View"}
            <span className="sr-only"> {row.original.title}</span>
          </Link>
          {canEdit && !row.original.enabled && <RuleDeleteButton ruleId={row.original.id} title={row.original.title} />}
        </div>
      ),
      meta: { className: "w-32 text-right" },
    }),
  ]);
}

export interface RulesTableProps extends ListPage<ListedRule> {
  canEdit: boolean;
  footer?: React.ReactNode;
}

export function RulesTable({ canEdit, footer, ...list }: RulesTableProps) {
  const columns = useMemo(() => ruleColumns(canEdit), [canEdit]);
  return (
    <DataTable
      label="Webhook rules"
      columns={columns}
      getRowId={(r) => r.id}
      {...list}
      filterPlaceholder="Title, URL or trigger"
      footer={footer}
      emptyState={
        <EmptyState
          icon={<Webhook aria-hidden className="h-8 w-8" />}
          title="No webhook rules yet"
          description={canEdit ? "Create a rule to send lead events to Zapier, your CRM or any HTTPS endpoint." : "An admin can create rules that send lead events to other systems."}
          action={
            canEdit && (
              <Link href="/rules/new" className={buttonClass("primary")}>
                <Plus aria-hidden className="h-4 w-4" />
                Create New
              </Link>
            )
          }
        />
      }
      noMatchState={
        <EmptyState
          icon={<SearchX aria-hidden className="h-8 w-8" />}
          title="No rules match your filter"
          description={<>Nothing matches “{list.q}” in a title, URL or trigger.</>}
          action={
            <Link href="/rules" className={buttonClass("secondary")}>
              Clear filter
            </Link>
          }
        />
      }
    />
  );
}
