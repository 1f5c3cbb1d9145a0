"use client";

import { zodResolver } from "@hookform/resolvers/zod";
import { Plus } from "lucide-react";
import { useForm } from "react-hook-form";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, useFieldId } from "@/components/ui/field";
import type { ReferenceOption } from "@/lib/reference/queries";
import { addReferenceItemSchema, type AddReferenceItemInput, type ReferenceKindInput } from "@/lib/orgs/settings-schema";
import { ReferenceItemRow } from "./reference-item-row";
import { addReferenceItemAction } from "./reference-actions";
import { applyResult } from "@/components/ui/form-errors";

/** One editable list (a kind, or the substatuses of one status). */
export function ReferenceList<T extends ReferenceOption>({
  kind,
  parentId,
  items,
  addLabel,
  emptyText,
  canEdit,
  deleteNote,
  renderChildren,
}: {
  kind: ReferenceKindInput;
  parentId?: string;
  items: T[];
  /** Visible label of the add field, e.g. "New case type". */
  addLabel: string;
  emptyText: string;
  canEdit: boolean;
  deleteNote?: (item: T) => string | undefined;
  renderChildren?: (item: T) => React.ReactNode;
}) {
  return (
    <div className="space-y-3">
      {items.length === 0 ? (
        <p className="text-sm text-slate-500">{emptyText}</p>
      ) : (
        <ul className="divide-y divide-slate-100">
          {items.map((item, i) => (
            <ReferenceItemRow key={item.id} item={item} isFirst={i === 0} isLast={i === items.length - 1} canEdit={canEdit} deleteNote={deleteNote?.(item)}>
              {renderChildren?.(item)}
            </ReferenceItemRow>
          ))}
        </ul>
      )}
      {canEdit && <AddItemForm kind={kind} parentId={parentId} label={addLabel} />}
    </div>
  );
}

function AddItemForm({ kind, parentId, label }: { kind: ReferenceKindInput; parentId?: string; label: string }) {
  const inputId = useFieldId("new-item");
  const { register, handleSubmit, setError, reset, formState } = useForm<AddReferenceItemInput>({
    resolver: zodResolver(addReferenceItemSchema),
    defaultValues: { kind, parentId, name: "" },
  });
  const { errors, isSubmitting } = formState;

  const onSubmit = handleSubmit(async (values) => {
    const res = await addReferenceItemAction(values);
    if (!applyResult(res, setError, ["name"])) return;
    toast.success(`“${res.data.name}” added`);
    reset({ kind, parentId, name: "" });
  });

  return (
    <form onSubmit={onSubmit} noValidate className="flex flex-wrap items-end gap-2">
      <Field label={label} htmlFor={inputId} error={errors.name?.message} className="min-w-60 flex-1">
        <Input id={inputId} aria-invalid={!!errors.name} aria-describedby={describedBy(inputId, errors.name?.message)} {...register("name")} />
      </Field>
      <Button type="submit" variant="secondary" disabled={isSubmitting} className="mb-0.5">
        <Plus aria-hidden className="h-4 w-4" />
        Add
      </Button>
    </form>
  );
}
