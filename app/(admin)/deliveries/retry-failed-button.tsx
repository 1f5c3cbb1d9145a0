"use client";

import { RotateCcw } from "lucide-react";
import { useRouter } from "next/navigation";
import { useId, useRef, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import type { DeliveryFilters } from "@/lib/deliveries/list-params";
import { retryFailedAction } from "./actions";

const deliveries = (n: number) => `${n} ${n === 1 ? "delivery" : "deliveries"}`;

/**
 * "Retry failed": re-queues every FAILED delivery the current filters match, after a confirmation
 * that states how many. The count comes from the server with the page; the action recounts as it
 * updates, and the toast reports what it actually did.
 */
export function RetryFailedButton({ filters, failedCount }: { filters: DeliveryFilters; failedCount: number }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const id = useId().replace(/:/g, "");

  function confirmRetry() {
    startTransition(async () => {
      const res = await retryFailedAction(filters);
      dialog.current?.close();
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
      <Button variant="secondary" disabled={failedCount === 0} onClick={() => dialog.current?.showModal()}>
        <RotateCcw aria-hidden className="h-4 w-4" />
        Retry failed
      </Button>
      <dialog
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="m-auto w-full max-w-md rounded-lg bg-white p-0 shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
      >
        <div className="px-6 pb-4 pt-5">
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            Retry failed deliveries?
          </h2>
          <p id={`${id}-desc`} className="mt-2 text-sm text-slate-600">
            {deliveries(failedCount)} matching the current filters will be sent again, each with its original request and delivery id, so receivers can
            recognise a repeat.
          </p>
        </div>
        <div className="flex justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-6 py-3">
          <Button variant="secondary" autoFocus onClick={() => dialog.current?.close()} disabled={pending}>
            Cancel
          </Button>
          <Button onClick={confirmRetry} disabled={pending}>
            {pending ? "Queuing…" : `Retry ${deliveries(failedCount)}`}
          </Button>
        </div>
      </dialog>
    </>
  );
}
