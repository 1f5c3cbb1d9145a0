"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { ArrowDown, ArrowUp, Pencil, Trash2 } from "lucide-react";
import { useState, useTransition } from "react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, useFieldId } from "@/components/ui/field";
import type { ReferenceOption } from "@/lib/reference/queries";
import { renameReferenceItemSchema, type RenameReferenceItemInput } from "@/lib/orgs/settings-schema";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { deleteReferenceItemAction, moveReferenceItemAction, renameReferenceItemAction } from "./reference-actions";
import { applyResult } from "@/components/ui/form-errors";

/** One item of a reference list: its name and, for admins, rename / move / delete. */
export function ReferenceItemRow({
  item,
  isFirst,
  isLast,
  canEdit,
  deleteNote,
  children,
}: {
  item: ReferenceOption;
  isFirst: boolean;
  isLast: boolean;
  canEdit: boolean;
  /** Extra words for the delete confirmation (a status takes its substatuses with it). */
  deleteNote?: string;
  children?: React.ReactNode;
}) {
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  function move(direction: "up" | "down") {
    startTransition(async () => {
      const res = await moveReferenceItemAction({ id: item.id, direction });
      if (!res.ok) toast.error(res.error);
    });
  }

  function remove() {
    startTransition(async () => {
      const res = await deleteReferenceItemAction({ id: item.id });
      if (!res.ok) return setDeleteError(res.error);
      setConfirmDelete(false);
      toast.success(`“${item.name}” deleted`);
    });
  }

  return (
    <li className="py-2">
      {editing ? (
        <RenameForm item={item} onDone={() => setEditing(false)} />
      ) : (
        <div className="flex flex-wrap items-center justify-between gap-2">
          <span className="text-sm text-slate-900">{item.name}</span>
          {canEdit && (
            <div className="flex items-center gap-1">
              <Button variant="ghost" size="sm" title="Move up" disabled={isFirst || pending} onClick={() => move("up")}>
                <ArrowUp aria-hidden className="h-3.5 w-3.5" />
                <span className="sr-only">Move up</span>
                <Named name={item.name} />
              </Button>
              <Button variant="ghost" size="sm" title="Move down" disabled={isLast || pending} onClick={() => move("down")}>
                <ArrowDown aria-hidden className="h-3.5 w-3.5" />
                <span className="sr-only">Move down</span>
                <Named name={item.name} />
              </Button>
              <Button variant="ghost" size="sm" onClick={() => setEditing(true)}>
                <Pencil aria-hidden className="h-3.5 w-3.5" />
                Rename
                <Named name={item.name} />
              </Button>
              <Button
                variant="ghost"
                size="sm"
                className="text-red-600 hover:bg-red-50 hover:text-red-700"
                onClick={() => {
                  setDeleteError(null);
                  setConfirmDelete(true);
                }}
              >
                <Trash2 aria-hidden className="h-3.5 w-3.5" />
                Delete
                <Named name={item.name} />
              </Button>
            </div>
          )}
        </div>
      )}
      {children}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${item.name}”?`}
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        pending={pending}
        error={deleteError}
        onConfirm={remove}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>It will no longer be offered in the rule form.</p>
        {deleteNote && <p>{deleteNote}</p>}
      </ConfirmDialog>
    </li>
  );
}

/**
 * The item's name inside a row button's accessible name ("Delete Downtown"), for screen readers
 * only. Hidden text rather than aria-label, so the button does not also act as a field label.
 */
function Named({ name }: { name: string }) {
  return <span className="sr-only"> {name}</span>;
}

function RenameForm({ item, onDone }: { item: ReferenceOption; onDone: () => void }) {
  const inputId = useFieldId("rename");
  const { register, handleSubmit, setError, formState } = useForm<RenameReferenceItemInput>({
    resolver: zodResolver(renameReferenceItemSchema),
    defaultValues: { id: item.id, name: item.name },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    const res = await renameReferenceItemAction(values);
    if (!applyResult(res, setError, ["name"])) return;
    toast.success(`Renamed to “${res.data.name}”`);
    onDone();
  });

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-end gap-2">
      <Field label="Name" htmlFor={inputId} error={errors.name?.message} className="min-w-60 flex-1">
        <Input id={inputId} defaultValue={item.name} autoFocus aria-invalid={!!errors.name} aria-describedby={describedBy(inputId, errors.name?.message)} {...register("name")} />
      </Field>
      <div className="flex gap-2 pb-0.5">
        <Button type="submit" size="sm" disabled={isSubmitting}>
          {isSubmitting ? "Saving…" : "Save"}
        </Button>
        <Button variant="secondary" size="sm" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
