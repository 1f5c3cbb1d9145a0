"use client";

import { SearchX, Send } from "lucide-react";
import Link from "next/link";
import { createColumnHelper, DataTable, type DataTableFeatures, type ListPage } from "@/components/data-table";
import type { SortDir } from "@/lib/core/list-params";
import { DeliveryStateBadge, statusCodeText } from "@/components/delivery-log/delivery-state-badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { TruncatedText } from "@/components/ui/truncated-text";
import { UtcTime } from "@/components/delivery-log/utc-time";
import { answerSummary } from "@/lib/delivery/log/answer";
import { heldState } from "@/lib/delivery/policy/held";
import type { ListedDelivery } from "@/lib/delivery/log/queries";

const helper = createColumnHelper<DataTableFeatures, ListedDelivery>();

/** The client's answer under the status code: its values in one line, each name with its value on hover. */
function AnswerLine({ answer }: { answer: ListedDelivery["answer"] }) {
  const summary = answerSummary(answer);
  if (!summary) return null;
  return (
    <TruncatedText text={summary.all} shortened className="max-w-36 font-mono text-xs text-slate-600">
      <span className="sr-only">Answer: </span>
      {summary.shown}
    </TruncatedText>
  );
}

export function leadText(lead: ListedDelivery["lead"]): string {
  if (!lead) return "Deleted lead";
  return lead.email ?? lead.name ?? lead.id;
}

// Column ids double as the server's sort keys (lib/delivery/log/list-params.ts).
const columns = helper.columns([
  helper.accessor("createdAt", {
    id: "created",
    header: "Created",
    cell: ({ getValue }) => <UtcTime value={getValue()} />,
    meta: { className: "text-xs" },
  }),
  helper.accessor((d) => d.rule.title, {
    id: "rule",
    header: "Rule",
    enableSorting: false,
    // The event under the rule's title: one column less to fit a laptop screen.
    cell: ({ row }) => (
      <>
        <TruncatedText text={row.original.rule.title} lines={2} focusable={false} className="min-w-32 max-w-44">
          <Link href={`/rules/${encodeURIComponent(row.original.rule.id)}`} className="font-medium text-slate-900 hover:text-brand-700 hover:underline">
            {row.original.rule.title}
          </Link>
        </TruncatedText>
        <span className="text-xs text-slate-500">{row.original.event.label}</span>
      </>
    ),
  }),
  helper.accessor((d) => leadText(d.lead), {
    id: "lead",
    header: "Lead",
    enableSorting: false,
    cell: ({ row, getValue }) =>
      row.original.lead ? (
        <TruncatedText text={getValue()} focusable={false} className="max-w-44">
          <Link href={`/leads/${encodeURIComponent(row.original.lead.id)}`} className="hover:text-brand-700 hover:underline">
            {getValue()}
          </Link>
        </TruncatedText>
      ) : (
        <span className="text-slate-500">{getValue()}</span>
      ),
  }),
  helper.accessor("state", {
    id: "state",
    header: "State",
    cell: ({ row }) => (
      <span className="inline-flex items-center gap-2 whitespace-nowrap">
        <DeliveryStateBadge state={row.original.state} attemptCount={row.original.attemptCount} held={heldState(row.original)} />
        {row.original.isTest && <span className="text-xs font-medium text-slate-600">Test</span>}
        {row.original.duplicateOfId && (
          <Link href={`/deliveries/${encodeURIComponent(row.original.duplicateOfId)}`} className="text-xs text-brand-700 hover:underline">
            Duplicate<span className="sr-only"> of delivery {row.original.duplicateOfId}</span>
          </Link>
        )}
      </span>
    ),
  }),
  helper.accessor("attemptCount", { id: "attempts", header: "Attempts", meta: { className: "text-right tabular-nums" } }),
  helper.accessor("lastStatusCode", {
    id: "lastStatusCode",
    header: "Last status",
    // The last error is one hover or focus away, so the column stays as narrow as the code; the
    // client's answer, when the response parser kept one, is on a second line, cut to the column.
    cell: ({ row }) => (
      <>
        {row.original.lastError ? (
          <TruncatedText text={row.original.lastError} shortened className="whitespace-nowrap font-mono text-xs underline decoration-dotted underline-offset-2">
            {statusCodeText(row.original.lastStatusCode)}
          </TruncatedText>
        ) : (
          <span className="whitespace-nowrap font-mono text-xs">{statusCodeText(row.original.lastStatusCode)}</span>
        )}
        <AnswerLine answer={row.original.answer} />
      </>
    ),
  }),
  helper.accessor("nextAttemptAt", {
    id: "nextAttemptAt",
    header: "Next attempt",
    cell: ({ getValue }) => {
      const next = getValue();
      return next ? <UtcTime value={next} /> : <span className="text-slate-500">—</span>;
    },
    meta: { className: "text-xs" },
  }),
  helper.display({
    id: "actions",
    header: () => <span className="sr-only">Actions</span>,
    cell: ({ row }) => (
      <Link href={`/deliveries/${encodeURIComponent(row.original.id)}`} className={buttonClass("ghost", "sm", "text-brand-700")}>
        View<span className="sr-only"> delivery {row.original.id}</span>
      </Link>
    ),
    meta: { className: "w-16 text-right" },
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
      filterPlaceholder="Lead email, rule title, delivery id or answer (remote id, result…)"
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
