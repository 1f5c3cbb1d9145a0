"use client";

import { Plus, SearchX, Users } from "lucide-react";
import Link from "next/link";
import { createColumnHelper, DataTable, type DataTableFeatures, type ListPage } from "@/components/data-table";
import type { SortDir } from "@/lib/core/list-params";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { TruncatedText } from "@/components/ui/truncated-text";
import type { ListedLead } from "@/lib/leads/list";
import { webhookOutcomeText, type WebhookOutcome } from "@/lib/leads/outcome";
import { UtcTime } from "@/components/delivery-log/utc-time";

const helper = createColumnHelper<DataTableFeatures, ListedLead>();

const dash = <span className="text-slate-500">—</span>;
const text = (value: string | null) => value || dash;

function WebhookSummary({ outcome }: { outcome: WebhookOutcome }) {
  const tone = outcome.FAILED > 0 ? "text-red-700" : outcome.PENDING > 0 ? "text-amber-700" : outcome.SUCCEEDED > 0 ? "text-emerald-700" : "text-slate-500";
  return <span className={`text-xs font-medium ${tone}`}>{webhookOutcomeText(outcome)}</span>;
}

const columns = helper.columns([
  helper.accessor("name", {
    id: "name",
    header: "Name",
    cell: ({ row }) => (
      <Link href={`/leads/${encodeURIComponent(row.original.id)}`} className="font-medium text-brand-700 wrap-break-word hover:underline">
        {row.original.name || row.original.email || row.original.phone || "Unnamed lead"}
      </Link>
    ),
    meta: { className: "min-w-36" },
  }),
  helper.accessor("email", {
    id: "email",
    header: "Email",
    cell: ({ getValue }) => {
      const email = getValue();
      return email ? <TruncatedText text={email} className="max-w-40" /> : dash;
    },
  }),
  helper.accessor("phone", { id: "phone", header: "Phone", enableSorting: false, cell: ({ getValue }) => text(getValue()), meta: { className: "whitespace-nowrap" } }),
  helper.accessor("status", {
    id: "status",
    header: "Status",
    cell: ({ row }) =>
      row.original.status ? (
        <span className="block min-w-28">
          {row.original.status}
          {row.original.substatus && <span className="text-slate-500"> › {row.original.substatus}</span>}
        </span>
      ) : (
        dash
      ),
  }),
  helper.accessor("caseType", { id: "caseType", header: "Case type", enableSorting: false, cell: ({ getValue }) => text(getValue()) }),
  helper.accessor("office", { id: "office", header: "Office", enableSorting: false, cell: ({ getValue }) => text(getValue()) }),
  helper.accessor("webhooks", { id: "webhooks", header: "Webhooks", enableSorting: false, cell: ({ getValue }) => <WebhookSummary outcome={getValue()} /> }),
  helper.accessor("createdAt", {
    id: "created",
    header: "Created",
    cell: ({ getValue }) => <UtcTime value={getValue()} />,
    meta: { className: "text-xs" },
  }),
]);

export interface LeadsTableProps extends ListPage<ListedLead> {
  canEdit: boolean;
}

export function LeadsTable({ canEdit, ...list }: LeadsTableProps) {
  const newLead = canEdit && (
    <Link href="/leads/new" className={buttonClass("primary")}>
      <Plus aria-hidden className="h-4 w-4" />
      New lead
    </Link>
  );
  return (
    <DataTable
      label="Leads"
      columns={columns}
      getRowId={(r) => r.id}
      {...list}
      filterPlaceholder="Email, phone, name or case code"
      emptyState={
        <EmptyState
          icon={<Users aria-hidden className="h-8 w-8" />}
          title="No leads yet"
          description="Leads arrive through the REST API, or an admin can enter one here. Each lead fires the matching webhook rules."
          action={newLead}
        />
      }
      noMatchState={
        <EmptyState
          icon={<SearchX aria-hidden className="h-8 w-8" />}
          title="No leads match your filter"
          description={<>Nothing matches “{list.q}” in an email, phone, name or case tracker code.</>}
          action={
            <Link href="/leads" className={buttonClass("secondary")}>
              Clear filter
            </Link>
          }
        />
      }
    />
  );
}
