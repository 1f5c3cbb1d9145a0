/** Messages per field, keyed by the field's dotted path ("contact.email", "items.0.name"). */
export type FieldErrors = Record<string, string[]>;

/**
 * Groups issues (a zod error's, or any list of path + message) by their field's dotted path. An
 * issue about the input as a whole (an empty path) goes under `root`: "_form" for the admin forms,
 * "_body" for the REST API.
 */
export function fieldErrorsOf(issues: readonly { path: readonly PropertyKey[]; message: string }[], root: string): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) (out[issue.path.join(".") || root] ??= []).push(issue.message);
  return out;
}
