import { get, type FieldValues, type Path, type UseFormSetError } from "react-hook-form";
import { toast } from "sonner";
import type { ActionResult, FieldErrors } from "@/lib/auth/action";

// How a form shows what the server refused: field messages on their fields, the rest as one
// message. Every form bound with react-hook-form goes through setServerErrors (or applyResult).

/** The message at a dotted path of react-hook-form's errors; for a list, its own message (e.g. "Use at most 30 headers"). */
export function messageAt(errors: unknown, path: string): string | undefined {
  const error: unknown = get(errors, path);
  if (!error || typeof error !== "object") return undefined;
  const { message, root } = error as { message?: unknown; root?: { message?: unknown } };
  if (typeof message === "string") return message;
  return typeof root?.message === "string" ? root.message : undefined;
}

/** Where a server key goes on a form that has exactly these fields (other keys go nowhere). */
export function onlyFields<F extends FieldValues>(fields: readonly Path<F>[]): (key: string) => Path<F> | undefined {
  return (key) => fields.find((f) => f === key);
}

/**
 * Puts each field's first message on the field `fieldOf` maps its key to. Returns whether any
 * message found a field, and the messages of the keys that did not (to show for the form).
 */
export function setServerErrors<F extends FieldValues>(
  fieldErrors: FieldErrors | undefined,
  setError: UseFormSetError<F>,
  fieldOf: (key: string) => Path<F> | undefined,
  options?: { shouldFocus: boolean },
): { placed: boolean; unplaced: string[] } {
  let placed = false;
  const unplaced: string[] = [];
  for (const [key, messages] of Object.entries(fieldErrors ?? {})) {
    const field = fieldOf(key);
    if (field && messages[0]) {
      setError(field, { type: "server", message: messages[0] }, options);
      placed = true;
    } else unplaced.push(...messages);
  }
  return { placed, unplaced };
}

/**
 * Puts a refused action's field errors on the form (or a toast when none apply) and reports
 * whether it succeeded, so the forms react to the server the same way.
 */
export function applyResult<T, F extends FieldValues>(res: ActionResult<T>, setError: UseFormSetError<F>, fields: readonly Path<F>[]): res is Extract<ActionResult<T>, { ok: true }> {
  if (res.ok) return true;
  const { placed } = setServerErrors(res.fieldErrors, setError, onlyFields(fields));
  if (!placed || res.code !== "conflict") toast.error(res.error);
  return false;
}
