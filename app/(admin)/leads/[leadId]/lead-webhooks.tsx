"use client";

import { RotateCcw } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useRefreshWhile } from "@/components/delivery-log/use-refresh-while";
import { toast } from "sonner";
import { DeliveryStateBadge, statusCodeText } from "@/components/delivery-log/delivery-state-badge";
import { ResponseValues } from "@/components/delivery-log/response-values";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { TruncatedText } from "@/components/ui/truncated-text";
import { UtcTime } from "@/components/delivery-log/utc-time";
import type { DeliveryState } from "@/lib/generated/prisma/enums";
import { eventLabel } from "@/lib/domain/event-types";
import { retryDeliveryAction } from "../../deliveries/actions";

// A white background and a soft edge, so the columns that scroll under it do not show through.
const STICKY = "sticky right-0 bg-white shadow-[-8px_0_8px_-8px_rgb(15_23_42/0.15)]";

export interface LeadWebhookRow {
  deliveryId: string;
  ruleTitle: string;
  eventType: string;
  state: DeliveryState;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
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
export function LeadWebhooks({ rows, canRetry }: { rows: LeadWebhookRow[]; canRetry: boolean }) {
  const router = useRouter();
  const watching = rows.some((r) => r.state === "PENDING");

  useRefreshWhile(watching);

  if (rows.length === 0) {
    return <p className="text-sm text-slate-500">No webhook rule has fired for this lead yet.</p>;
  }
  return (
    // relative: absolutely placed content (sr-only text) scrolls with the table, not the page.
    <div className="relative overflow-x-auto">
      <table className="min-w-full text-left text-sm">
        <caption className="sr-only">Latest webhook delivery per rule</caption>
        <thead className="border-b border-slate-200 text-xs font-medium uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="py-2 pr-4">Rule</th>
            <th scope="col" className="py-2 pr-4">State</th>
            <th scope="col" className="py-2 pr-4">Attempts</th>
            <th scope="col" className="py-2 pr-4">Last status</th>
            <th scope="col" className="py-2 pr-4">Result</th>
            <th scope="col" className="py-2 pr-4">Updated</th>
            <th scope="col" className={cn(STICKY, "py-2 pl-3 text-right")}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map((row) => (
            <WebhookRow key={row.deliveryId} row={row} canRetry={canRetry} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WebhookRow({ row, canRetry }: { row: LeadWebhookRow; canRetry: boolean }) {
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
    <tr className="align-top">
      <td className="min-w-40 py-2.5 pr-4 wrap-anywhere">
        <span className="font-medium text-slate-900">{row.ruleTitle}</span>
        <p className="text-xs text-slate-500">{eventLabel(row.eventType)}</p>
      </td>
      <td className="py-2.5 pr-4">
        <DeliveryStateBadge state={row.state} attemptCount={row.attempts} />
      </td>
      <td className="py-2.5 pr-4 tabular-nums">{row.attempts}</td>
      <td className="py-2.5 pr-4 tabular-nums whitespace-nowrap">{statusCodeText(row.lastStatusCode)}</td>
      {/* What the endpoint answered: the response parser's values, and the last error if any. */}
      <td className="min-w-40 max-w-xs space-y-1 py-2.5 pr-4">
        {row.responseValues && <ResponseValues values={row.responseValues} label={`Response values for ${row.ruleTitle}`} compact />}
        {row.lastError && <TruncatedText text={row.lastError} lines={2} className="text-xs text-slate-600" />}
        {!row.responseValues && !row.lastError && <span className="text-xs text-slate-500">—</span>}
      </td>
      <td className="py-2.5 pr-4 text-xs text-slate-600">
        <UtcTime value={row.updatedAt} />
      </td>
      <td className={cn(STICKY, "py-2 pl-3")}>
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
      </td>
    </tr>
  );
}
