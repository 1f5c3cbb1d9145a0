"use client";

import { SearchX, Send } from "lucide-react";
import Link from "next/link";
import { createColumnHelper, DataTable, type DataTableFeatures, type ListPage } from "@/components/data-table";
import type { SortDir } from "@/components/data-table/search-params";
import { DeliveryStateBadge, statusCodeText } from "@/components/deliveries/delivery-state-badge";
import { formatUtc } from "@/components/deliveries/format";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import type { ListedDelivery } from "@/lib/deliveries/queries";

const helper = createColumnHelper<DataTableFeatures, ListedDelivery>();

export function leadText(lead: ListedDelivery["lead"]): string {
  if (!lead) return "Deleted lead";
  return lead.email ?? lead.name ?? lead.id;
}

// Column ids double as the server's sort keys (lib/deliveries/list-params.ts).
const columns = helper.columns([
  helper.accessor("createdAt", {
    id: "created",
    header: "Created",
    cell: ({ getValue }) => <time dateTime={getValue().toISOString()}>{formatUtc(getValue())}</time>,
    meta: { className: "whitespace-nowrap text-xs" },
  }),
  helper.accessor((d) => d.rule.title, {
    id: "rule",
    header: "Rule",
    enableSorting: false,
    meta: { className: "min-w-36" },
    cell: ({ row }) => (
      <Link href={`/rules/${encodeURIComponent(row.original.rule.id)}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
        {row.original.rule.title}
      </Link>
    ),
  }),
  helper.accessor((d) => d.event.label, { id: "event", header: "Event", enableSorting: false, meta: { className: "whitespace-nowrap" } }),
  helper.accessor((d) => leadText(d.lead), {
    id: "lead",
    header: "Lead",
    enableSorting: false,
    cell: ({ row, getValue }) =>
      row.original.lead ? (
        <Link href={`/leads/${encodeURIComponent(row.original.lead.id)}`} className="hover:text-brand-700 hover:underline">
          {getValue()}
        </Link>
      ) : (
        <span className="text-slate-400">{getValue()}</span>
      ),
    meta: { className: "min-w-48 max-w-64 break-words" },
  }),
  helper.accessor("state", {
    id: "state",
    header: "State",
    cell: ({ row }) => <DeliveryStateBadge state={row.original.state} attemptCount={row.original.attemptCount} />,
  }),
  helper.accessor("attemptCount", { id: "attempts", header: "Attempts", meta: { className: "text-right tabular-nums" } }),
  helper.accessor("lastStatusCode", {
    id: "lastStatusCode",
    header: "Last status",
    cell: ({ row }) => (
      <span title={row.original.lastError ?? undefined} className="whitespace-nowrap font-mono text-xs">
        {statusCodeText(row.original.lastStatusCode)}
      </span>
    ),
  }),
  helper.accessor("nextAttemptAt", {
    id: "nextAttemptAt",
    header: "Next attempt",
    cell: ({ getValue }) => {
      const next = getValue();
      return next ? <time dateTime={next.toISOString()}>{formatUtc(next)}</time> : <span className="text-slate-400">—</span>;
    },
    meta: { className: "whitespace-nowrap text-xs" },
  }),
  helper.display({
    id: "actions",
    header: () => <span className="sr-only">Actions</span>,
    cell: ({ row }) => (
      <Link href={`/deliveries/${encodeURIComponent(row.original.id)}`} className={buttonClass("ghost", "sm", "text-brand-700")}>
        View<span className="sr-only"> delivery {row.original.id}</span>
      </Link>
    ),
    meta: { className: "w-20 text-right" },
  }),
]);

export interface DeliveriesTableProps extends ListPage<ListedDelivery> {
  /** Whether the Rule/State/Status/From/To controls narrow the list (not the text filter). */
  filtered: boolean;
}

export function DeliveriesTable({ filtered, ...list }: DeliveriesTableProps) {
  const noMatch = (
    <EmptyState
      icon={<SearchX aria-hidden className="h-8 w-8" />}
      title="No deliveries match your filters"
      description="Try another rule, state, status code or time range."
      action={
        <Link href="/deliveries" className={buttonClass("secondary")}>
          Clear filters
        </Link>
      }
    />
  );
  return (
    <DataTable
      label="Deliveries"
      columns={columns}
      getRowId={(d) => d.id}
      {...list}
      filterPlaceholder="Lead email, rule title or delivery id"
      // The table shows its empty state when nothing matches and the text box is empty; with the
      // other filters set, that is a "no match", not "nothing yet".
      emptyState={
        filtered ? (
          noMatch
        ) : (
          <EmptyState
            icon={<Send aria-hidden className="h-8 w-8" />}
            title="No deliveries yet"
            description="Each lead event that matches an enabled rule becomes a delivery here, with every attempt and response."
          />
        )
      }
      noMatchState={noMatch}
    />
  );
}
