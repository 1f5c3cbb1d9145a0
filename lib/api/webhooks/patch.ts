import { z } from "zod";

// PATCH support: a partial version of a body schema (for checking the patch's shape and for the
// OpenAPI document) and the merge of a patch over the current values. The merged result is then
// parsed by the full schema, so cross-field rules are checked on what will be saved.

type Plain = Record<string, unknown>;

const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** The schema under defaults and preprocessing: a patch field has no default (absent = unchanged). */
function bare(schema: z.ZodType): z.ZodType {
  const def = schema.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
  if ((def.type === "default" || def.type === "prefault") && def.innerType) return bare(def.innerType);
  if (def.type === "pipe" && def.in?.def.type === "transform" && def.out) return bare(def.out);
  return schema;
}

/**
 * Every field optional and without its default, nested objects likewise (their cross-field
 * refinements are left to the full schema, which parses the merged result). Fields named in
 * `whole` (and arrays) keep their full schema: a patch replaces them entirely.
 */
export function deepPartial(schema: z.ZodObject, options: { whole?: readonly string[] } = {}): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const inner = bare(field);
    let partial: z.ZodType = inner;
    if (!options.whole?.includes(key) && inner instanceof z.ZodObject) partial = deepPartial(inner);
    const description = field.description ?? inner.description;
    partial = partial.optional();
    shape[key] = description ? partial.describe(description) : partial;
  }
  // As strict about unknown keys as the schema it comes from.
  const strict = (schema.def.catchall as z.ZodType | undefined)?.def.type === "never";
  return strict ? z.strictObject(shape) : z.object(shape);
}

/**
 * `patch` over `current`: objects merge key by key, everything else (arrays, values, null, and
 * the top-level fields named in `whole`) replaces. Neither argument is modified.
 */
export function mergePatch(current: Plain, patch: Plain, options: { whole?: readonly string[] } = {}): Plain {
  const out: Plain = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const base = out[key];
    out[key] = !options.whole?.includes(key) && isPlain(value) && isPlain(base) ? mergePatch(base, value) : value;
  }
  return out;
}
