"use client";

import { useState, useTransition } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { deleteRuleAction } from "./actions";

/** "Delete" for a disabled rule, behind a confirmation. */
export function RuleDeleteButton({ ruleId, title }: { ruleId: string; title: string }) {
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();

  function confirmDelete() {
    startTransition(async () => {
      const res = await deleteRuleAction({ ruleId });
      setOpen(false);
      if (!res.ok) {
        toast.error(res.error);
        return;
      }
      toast.success("Webhook rule deleted");
    });
  }

  return (
    <>
      <Button variant="ghost" size="sm" className="text-red-600 hover:bg-red-50 hover:text-red-700" onClick={() => setOpen(true)}>
        Delete<span className="sr-only"> rule {title}</span>
      </Button>
      <ConfirmDialog
        open={open}
        title="Delete webhook rule?"
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        pending={pending}
        onConfirm={confirmDelete}
        onCancel={() => setOpen(false)}
      >
        <p>
          “<span className="font-medium text-slate-900">{title}</span>” will be deleted. Deleted webhook rules cannot be recovered. To pause a rule, keep it
          disabled instead.
        </p>
      </ConfirmDialog>
    </>
  );
}
