"use client";

import type { FieldValues, Path, UseFormSetError } from "react-hook-form";
import { toast } from "sonner";
import type { ActionResult } from "@/lib/auth/action";

/**
 * Puts a refused action's field errors on the form (or a toast when none apply) and reports
 * whether it succeeded, so every settings form reacts to the server the same way.
 */
export function applyResult<T, F extends FieldValues>(res: ActionResult<T>, setError: UseFormSetError<F>, fields: readonly Path<F>[]): res is Extract<ActionResult<T>, { ok: true }> {
  if (res.ok) return true;
  let shown = false;
  for (const [field, messages] of Object.entries(res.fieldErrors ?? {})) {
    if ((fields as readonly string[]).includes(field)) {
      setError(field as Path<F>, { message: messages[0] });
      shown = true;
    }
  }
  if (!shown || res.code !== "conflict") toast.error(res.error);
  return false;
}
