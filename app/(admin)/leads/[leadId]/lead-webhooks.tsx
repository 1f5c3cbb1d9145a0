"use client";

import { RotateCcw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useRefreshWhile } from "@/components/delivery-log/use-refresh-while";
import { toast } from "sonner";
import { DeliveryStateBadge, statusCodeText } from "@/components/delivery-log/delivery-state-badge";
import { ResponseValues } from "@/components/delivery-log/response-values";
import { SimpleTable, type SimpleColumn } from "@/components/data-table";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { TruncatedText } from "@/components/ui/truncated-text";
import { UtcTime } from "@/components/delivery-log/utc-time";
import type { DeliveryState } from "@/lib/generated/prisma/enums";
import type { HeldState } from "@/lib/delivery/policy/held";
import { eventLabel } from "@/lib/domain/event-types";
import { retryDeliveryAction } from "../../deliveries/actions";

// Sticks to the right edge, with a soft edge so the columns that scroll under it do not show
// through (the header and the cells each have their own background).
const STICKY = "sticky right-0 shadow-[-8px_0_8px_-8px_rgb(15_23_42/0.15)]";

export interface LeadWebhookRow {
  deliveryId: string;
  /** A chained delivery (fallback or linked rule): the delivery that passed the lead on, and what it says. */
  parentDeliveryId: string | null;
  chain: string | null;
  /** How deep in its chain the row is shown (0: not chained). */
  depth: number;
  ruleTitle: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** Held back by the rule's own controls (a cap, the rate limit, the sending window); null: not. */
  held: HeldState | null;
  /** The rule's response parser values from the latest response (e.g. the receiver's lead id). */
  responseValues: Record<string, string> | null;
  updatedAt: Date;
}

/**
 * Per rule, the latest delivery for this lead. While one is pending the dispatcher is sending in
 * the background, so the page re-reads itself every few seconds (for a minute at most).
 *
 * View delivery and Retry are what people come here for: their column sticks to the right edge
 * of the card, so when the table is wider than the screen (a phone) the rest scrolls under it.
 */
const COLUMNS: SimpleColumn<LeadWebhookRow>[] = [
  {
    header: "Rule",
    className: "min-w-40 wrap-anywhere",
    cell: (row) => (
      // A chained delivery sits under the one that passed the lead on, indented, with a link to it.
      <div style={{ paddingLeft: `${row.depth * 1.25}rem` }}>
        {row.depth > 0 && <span aria-hidden className="mr-1 text-slate-400">↳</span>}
        <span className="font-medium text-slate-900">{row.ruleTitle}</span>
        <p className="text-xs text-slate-500">{eventLabel(row.eventType)}</p>
        {row.chain && row.parentDeliveryId && (
          <Link href={`/deliveries/${encodeURIComponent(row.parentDeliveryId)}`} className="text-xs text-brand-700 hover:underline">
            {row.chain}
          </Link>
        )}
      </div>
    ),
  },
  { header: "State", cell: (row) => <DeliveryStateBadge state={row.state} attemptCount={row.attempts} held={row.held} /> },
  { header: "Attempts", className: "tabular-nums", cell: (row) => row.attempts },
  { header: "Last status", className: "tabular-nums whitespace-nowrap", cell: (row) => statusCodeText(row.lastStatusCode) },
  // What the endpoint answered: the response parser's values, and the last error if any.
  {
    header: "Result",
    className: "min-w-40 max-w-xs",
    cell: (row) => (
      <div className="space-y-1">
        {row.responseValues && <ResponseValues values={row.responseValues} label={`Response values for ${row.ruleTitle}`} compact />}
        {row.lastError && <TruncatedText text={row.lastError} lines={2} className="text-xs text-slate-600" />}
        {!row.responseValues && !row.lastError && <span className="text-xs text-slate-500">—</span>}
      </div>
    ),
  },
  { header: "Updated", className: "text-xs", cell: (row) => <UtcTime value={row.updatedAt} /> },
];

/**
 * Per rule, the latest delivery for this lead. While one is pending the dispatcher is sending in
 * the background, so the page re-reads itself every few seconds (for a minute at most).
 *
 * View delivery and Retry are what people come here for: their column sticks to the right edge
 * of the card, so when the table is wider than the screen (a phone) the rest scrolls under it.
 */
export function LeadWebhooks({ rows, canRetry }: { rows: LeadWebhookRow[]; canRetry: boolean }) {
  useRefreshWhile(rows.some((r) => r.state === "PENDING"));
  const actions: SimpleColumn<LeadWebhookRow> = {
    header: "Actions",
    headerHidden: true,
    className: cn(STICKY, "text-right"),
    headerClassName: "bg-slate-50",
    cellClassName: "bg-white",
    cell: (row) => <WebhookActions row={row} canRetry={canRetry} />,
  };
  return (
    <SimpleTable
      caption="Latest webhook delivery per rule"
      columns={[...COLUMNS, actions]}
      rows={rows}
      getRowId={(row) => row.deliveryId}
      empty={<p className="text-sm text-slate-500">No webhook rule has fired for this lead yet.</p>}
      className="-mx-5 -my-4"
    />
  );
}

function WebhookActions({ row, canRetry }: { row: LeadWebhookRow; canRetry: boolean }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function retry() {
    startTransition(async () => {
      const res = await retryDeliveryAction({ deliveryId: row.deliveryId });
      if (!res.ok) return void toast.error(res.error);
      toast.success("Delivery queued for retry");
      router.refresh();
    });
  }

  return (
    <div className="flex flex-col items-end gap-1 whitespace-nowrap">
      <Link href={`/deliveries/${encodeURIComponent(row.deliveryId)}`} className="text-xs font-medium text-brand-700 hover:underline">
        View delivery<span className="sr-only"> for {row.ruleTitle}</span>
      </Link>
      {canRetry && (
        <Button variant="ghost" size="sm" disabled={pending} onClick={retry}>
          <RotateCcw aria-hidden className="h-3.5 w-3.5" />
          {pending ? "Queuing…" : "Retry"}
          <span className="sr-only"> {row.ruleTitle}</span>
        </Button>
      )}
    </div>
  );
}
