"use client";

import { RefreshCw, RotateCcw, Send } from "lucide-react";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { useRefreshWhile } from "@/components/delivery-log/use-refresh-while";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { retryDeliveryAction, sendAnywayAction } from "../actions";

/**
 * "Retry" and, for a delivery skipped as a duplicate, "Send anyway" (admins), and "Refresh". The dispatcher sends in the background after a retry, so while
 * the delivery is due (`watching`) the page re-reads itself every few seconds, for a minute at
 * most, and stops as soon as the delivery settles.
 */
export function DeliveryControls({ deliveryId, canRetry, canSendAnyway, watching }: { deliveryId: string; canRetry: boolean; canSendAnyway: boolean; watching: boolean }) {
  const router = useRouter();
  const [retrying, startRetry] = useTransition();
  const [refreshing, startRefresh] = useTransition();

  useRefreshWhile(watching);

  function queue(action: typeof retryDeliveryAction, done: string) {
    startRetry(async () => {
      const res = await action({ deliveryId });
      if (!res.ok) {
        toast.error(res.error);
        return;
      }
      toast.success(done);
      router.refresh();
    });
  }

  return (
    <div className="flex items-center gap-2">
      <Button variant="secondary" disabled={refreshing} onClick={() => startRefresh(() => router.refresh())}>
        <RefreshCw aria-hidden className={refreshing ? "h-4 w-4 animate-spin" : "h-4 w-4"} />
        Refresh
      </Button>
      {canSendAnyway && (
        <Button variant="secondary" onClick={() => queue(sendAnywayAction, "Delivery queued: it is sent without the duplicate check")} disabled={retrying}>
          <Send aria-hidden className="h-4 w-4" />
          Send anyway
        </Button>
      )}
      {canRetry && (
        <Button onClick={() => queue(retryDeliveryAction, "Delivery queued for retry")} disabled={retrying}>
          <RotateCcw aria-hidden className="h-4 w-4" />
          {retrying ? "Queuing…" : "Retry"}
        </Button>
      )}
    </div>
  );
}
