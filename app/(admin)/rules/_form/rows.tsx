"use client";

import { Plus, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";

// Shared parts of the form's repeated rows (headers, field mappings, conditions, parsers): a table
// whose column headers name the cells (each control also has its own visually hidden label), a
// Remove button per row, an Add button, and the list's own error.

export function RowsTable({ caption, columns, children }: { caption: string; columns: readonly string[]; children: React.ReactNode }) {
  return (
    <div className="relative overflow-x-auto">
      <table className="w-full min-w-[36rem] text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr className="text-xs font-medium text-slate-500">
            {columns.map((c, i) => (
              <th key={c || i} scope="col" className="pr-2 pb-1 font-medium">
                {c || <span className="sr-only">Actions</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="align-top">{children}</tbody>
      </table>
    </div>
  );
}

export function RemoveRowButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <Button variant="ghost" size="sm" onClick={onClick} aria-label={label} title={label} className="mt-0.5">
      <Trash2 aria-hidden className="h-3.5 w-3.5" />
      <span aria-hidden>Remove</span>
    </Button>
  );
}

export function AddRowButton({ label, disabled, onClick }: { label: string; disabled?: boolean; onClick: () => void }) {
  return (
    <Button variant="secondary" size="sm" disabled={disabled} onClick={onClick}>
      <Plus aria-hidden className="h-3.5 w-3.5" />
      {label}
    </Button>
  );
}

export function ListError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p role="alert" className="text-xs font-medium text-red-600">
      {message}
    </p>
  );
}
