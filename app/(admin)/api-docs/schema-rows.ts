// Flattens a JSON Schema from the OpenAPI document into rows a person can read: one per field,
// nested fields by dot path ("request.mapping.fields[].target"), with type, whether it is
// required, its description and its allowed values or default.

type Schema = Record<string, unknown>;

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string | null;
  notes: string[];
}

const MAX_DEPTH = 6;

const isSchema = (v: unknown): v is Schema => typeof v === "object" && v !== null && !Array.isArray(v);

/** Follows "#/components/schemas/Name" references. */
export function resolver(components: Schema | undefined): (s: Schema) => Schema {
  const schemas = isSchema(components?.schemas) ? components.schemas : {};
  return function resolve(s: Schema): Schema {
    const ref = typeof s.$ref === "string" ? s.$ref : null;
    if (!ref?.startsWith("#/components/schemas/")) return s;
    const target = schemas[ref.slice("#/components/schemas/".length)];
    return isSchema(target) ? resolve(target) : s;
  };
}

/** A schema without its null alternative, and whether null is allowed. */
function withoutNull(s: Schema): { schema: Schema; nullable: boolean } {
  const alts = Array.isArray(s.anyOf) ? s.anyOf.filter(isSchema) : null;
  if (!alts) return { schema: s, nullable: false };
  const rest = alts.filter((a) => a.type !== "null");
  if (rest.length === alts.length) return { schema: s, nullable: false };
  return { schema: rest.length === 1 ? { ...rest[0], description: s.description ?? rest[0]!.description } : { ...s, anyOf: rest }, nullable: true };
}

function typeLabel(s: Schema): string {
  if ("const" in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const type = Array.isArray(s.type) ? s.type.join(" | ") : typeof s.type === "string" ? s.type : "any";
  if (type === "array" && isSchema(s.items)) return `array of ${typeLabel(s.items)}`;
  if (type === "object" && !isSchema(s.properties) && s.additionalProperties) return "object (map)";
  return typeof s.format === "string" ? `${type} (${s.format})` : type;
}

function notesOf(s: Schema): string[] {
  const notes: string[] = [];
  // Object defaults are spelled out by their fields' own defaults.
  const shown = JSON.stringify(s.default);
  if (s.default !== undefined && (typeof s.default !== "object" || (Array.isArray(s.default) && shown.length <= 40))) notes.push(`Default: ${shown}`);
  if (typeof s.minimum === "number" || typeof s.maximum === "number") notes.push(`Range: ${s.minimum ?? "…"}–${s.maximum ?? "…"}`);
  if (typeof s.maxLength === "number") notes.push(`At most ${s.maxLength} characters`);
  if (typeof s.minItems === "number" && s.minItems > 0) notes.push(`At least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
  if (typeof s.maxItems === "number") notes.push(`At most ${s.maxItems} items`);
  return notes;
}

function variants(s: Schema): Schema[] | null {
  const list = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : null;
  return list ? list.filter(isSchema) : null;
}

/** The rows of an object schema's fields (the body itself has no row of its own). */
export function schemaRows(root: Schema, resolve: (s: Schema) => Schema): FieldRow[] {
  const rows: FieldRow[] = [];

  const objectFields = (s: Schema, prefix: string, depth: number, note?: string) => {
    const props = isSchema(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? s.required.map(String) : []);
    for (const [key, child] of Object.entries(props)) if (isSchema(child)) field(`${prefix}${key}`, child, required.has(key), depth, note);
  };

  const field = (name: string, raw: Schema, required: boolean, depth: number, note?: string) => {
    const { schema: s0, nullable } = withoutNull(resolve(raw));
    const s = resolve(s0);
    const description = typeof s.description === "string" ? s.description : typeof raw.description === "string" ? raw.description : null;
    const alts = variants(s);
    const base = { name, required, description, notes: [...(note ? [note] : []), ...notesOf(s)] };
    if (alts && alts.length > 1) {
      rows.push({ ...base, type: `one of ${alts.length} shapes${nullable ? " | null" : ""}` });
      if (depth < MAX_DEPTH) {
        for (const alt of alts.map(resolve)) {
          const disc = Object.entries(isSchema(alt.properties) ? alt.properties : {}).find(([, p]) => isSchema(p) && "const" in p);
          objectFields(alt, `${name}.`, depth + 1, disc ? `When ${disc[0]} is ${JSON.stringify((disc[1] as Schema).const)}` : undefined);
        }
      }
      return;
    }
    rows.push({ ...base, type: `${typeLabel(s)}${nullable ? " | null" : ""}` });
    if (depth >= MAX_DEPTH) return;
    if (isSchema(s.properties)) objectFields(s, `${name}.`, depth + 1);
    else if (s.type === "array" && isSchema(s.items)) {
      const item = resolve(s.items);
      if (isSchema(item.properties)) objectFields(item, `${name}[].`, depth + 1);
    }
  };

  objectFields(resolve(root), "", 0);
  return rows;
}
