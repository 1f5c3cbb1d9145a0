"use client";

import { useId, useRef, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { deleteRuleAction } from "./list-actions";

/**
 * "Delete" for a disabled rule, behind a confirmation. A native modal <dialog> gives focus
 * containment, Escape to cancel and an inert page behind it without extra code.
 */
export function RuleDeleteButton({ ruleId, title }: { ruleId: string; title: string }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, startTransition] = useTransition();
  const id = useId().replace(/:/g, "");

  function confirmDelete() {
    startTransition(async () => {
      const res = await deleteRuleAction({ ruleId });
      dialog.current?.close();
      if (!res.ok) {
        toast.error(res.error);
        return;
      }
      toast.success("Webhook rule deleted");
    });
  }

  return (
    <>
      <Button variant="ghost" size="sm" className="text-red-600 hover:bg-red-50 hover:text-red-700" onClick={() => dialog.current?.showModal()}>
        Delete<span className="sr-only"> rule {title}</span>
      </Button>
      <dialog
        ref={dialog}
        role="dialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-desc`}
        className="m-auto w-full max-w-md rounded-lg bg-white p-0 text-left shadow-xl ring-1 ring-slate-200 backdrop:bg-slate-900/40"
      >
        <div className="px-6 pb-4 pt-5">
          <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
            Delete webhook rule?
          </h2>
          <p id={`${id}-desc`} className="mt-2 text-sm text-slate-600">
            “<span className="font-medium text-slate-900">{title}</span>” will be deleted. Deleted webhook rules cannot be recovered. To pause a rule, keep it
            disabled instead.
          </p>
        </div>
        <div className="flex justify-end gap-2 rounded-b-lg border-t border-slate-200 bg-slate-50 px-6 py-3">
          <Button variant="secondary" autoFocus onClick={() => dialog.current?.close()} disabled={pending}>
            Cancel
          </Button>
          <Button variant="danger" onClick={confirmDelete} disabled={pending}>
            {pending ? "Deleting…" : "Delete"}
          </Button>
        </div>
      </dialog>
    </>
  );
}
