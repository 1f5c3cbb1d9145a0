"use client";

import { RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { DeliveryFilters } from "@/lib/delivery/log/list-params";
import { retryFailedAction } from "./actions";

const deliveries = (n: number) => `${n} ${n === 1 ? "delivery" : "deliveries"}`;

/**
 * "Retry failed": re-queues every FAILED delivery the current filters match, after a confirmation
 * that states how many. The count comes from the server with the page; the action recounts as it
 * updates, and the toast reports what it actually did.
 */
export function RetryFailedButton({ filters, failedCount }: { filters: DeliveryFilters; failedCount: number }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function confirmRetry() {
    startTransition(async () => {
      const res = await retryFailedAction(filters);
      setOpen(false);
      if (!res.ok) {
        toast.error(res.error);
        return;
      }
      toast.success(`${deliveries(res.data.count)} queued for retry`);
      router.refresh();
    });
  }

  return (
    <>
      <Button variant="secondary" disabled={failedCount === 0} onClick={() => setOpen(true)}>
        <RotateCcw aria-hidden className="h-4 w-4" />
        Retry failed
      </Button>
      <ConfirmDialog
        open={open}
        title="Retry failed deliveries?"
        confirmLabel={`Retry ${deliveries(failedCount)}`}
        pendingLabel="Queuing…"
        pending={pending}
        tone="primary"
        onConfirm={confirmRetry}
        onCancel={() => setOpen(false)}
      >
        <p>
          {deliveries(failedCount)} matching the current filters will be sent again, each with its original request and delivery id, so receivers can
          recognise a repeat.
        </p>
      </ConfirmDialog>
    </>
  );
}
