import { joinPaths, type FieldMapping, type StoredMappings } from "@/lib/domain/rule/request";
import { valueAt, type TemplateContext } from "./context";
import { RenderError } from "./errors";
import { textTemplates } from "./liquid";
import { formatPhone } from "./phone";

// Field mappings turn the lead into the receiver's field names: "map all fields" sends the lead
// snapshot as it is; custom mappings build a new object, one outbound field per mapping, nested by
// dot path (`name.first` → {"name": {"first": …}}).

export type MappedFields = Record<string, unknown>;

/**
 * The mapped object for an event, or null for "map all fields" on an event without a lead (the
 * envelope's data.lead is null then too, and stays so).
 */
export function applyMappings(mappings: StoredMappings, ctx: TemplateContext): MappedFields | null {
  if (mappings.mode === "all") return ctx.lead as MappedFields | null;
  const out: MappedFields = {};
  const groups = new WeakSet<object>([out]);
  for (const m of mappings.fields) setPath(out, groups, m.target, applyTransforms(sourceValue(m, ctx), m));
  return out;
}

function sourceValue(m: FieldMapping, ctx: TemplateContext): unknown {
  switch (m.source) {
    case "static":
      return m.value;
    case "template":
      return textTemplates.render(m.value, ctx);
    case "field":
      return valueAt(ctx, m.value.trim());
    case "join":
      return joinFields(joinPaths(m.value), m.separator || " ", ctx);
  }
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === "string" && v.trim() === "");

/** The values at the paths as text, empty ones left out, joined by the separator. */
export function joinFields(paths: readonly string[], separator: string, ctx: TemplateContext): string {
  const parts = paths.map((p) => valueAt(ctx, p)).filter((v) => !isEmpty(v) && typeof v !== "object");
  return parts.map((v) => String(v).trim()).join(separator);
}

type TransformSettings = Pick<FieldMapping, "defaultValue" | "trim" | "digitsOnly" | "case" | "dateFormat"> &
  Partial<Pick<FieldMapping, "valueMap" | "valueMapDefault" | "valueMapIgnoreCase" | "phoneFormat" | "phoneCountryCode">>;

/**
 * The value map applied to one value: a row whose "from" equals the value (as text, trimmed;
 * ignoring case when asked) gives its "to"; an unmapped value gives the map's default, or itself
 * when the default is empty. Objects and arrays are never mapped. Rows are tried in order.
 */
export function mapValue(value: unknown, m: Pick<TransformSettings, "valueMap" | "valueMapDefault" | "valueMapIgnoreCase">): unknown {
  if (!m.valueMap?.length || (typeof value === "object" && value !== null)) return value;
  const fold = (t: string) => (m.valueMapIgnoreCase ? t.trim().toLowerCase() : t.trim());
  const key = fold(value === null || value === undefined ? "" : String(value));
  const hit = m.valueMap.find((row) => fold(row.from) === key);
  if (hit) return hit.to;
  return m.valueMapDefault ? m.valueMapDefault : value;
}

/**
 * Transforms in the order request.ts documents: default, trim, value map, digits only, phone
 * format, case, date format.
 */
export function applyTransforms(value: unknown, m: TransformSettings): unknown {
  let v: unknown = value === undefined ? null : value;
  if (m.defaultValue !== "" && isEmpty(v)) v = m.defaultValue;
  if (m.trim && typeof v === "string") v = v.trim();
  v = mapValue(v, m);
  if (m.digitsOnly && (typeof v === "string" || typeof v === "number")) v = String(v).replace(/\D/g, "");
  if (m.phoneFormat && m.phoneFormat !== "none" && (typeof v === "string" || typeof v === "number")) v = formatPhone(String(v), m.phoneFormat, m.phoneCountryCode);
  if (m.case !== "none" && typeof v === "string") v = m.case === "upper" ? v.toUpperCase() : v.toLowerCase();
  if (m.dateFormat.trim() && typeof v === "string") v = formatDate(v, m.dateFormat);
  return v;
}

// ISO 8601 dates and date-times, as the lead snapshot and most APIs write them. Anything else is
// not treated as a date (Date.parse would read "12" or "May 3" in surprising ways).
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Formats an ISO date with the tokens YYYY MM DD HH mm ss, in UTC; other characters are kept. A
 * value that is not an ISO date is returned unchanged. A date-time without a zone is read as UTC.
 */
export function formatDate(value: string, format: string): string {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return value;
  const [, y, mo, d, h, mi, s, zone] = m;
  // Date would roll February 30 over into March; such a value is not a date.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return value;
  const iso = `${y}-${mo}-${d}T${h ?? "00"}:${mi ?? "00"}:${s ?? "00"}${zone ? zone.toUpperCase() : "Z"}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return value;
  const two = (n: number) => String(n).padStart(2, "0");
  const tokens: Record<string, string> = {
    YYYY: String(date.getUTCFullYear()).padStart(4, "0"),
    MM: two(date.getUTCMonth() + 1),
    DD: two(date.getUTCDate()),
    HH: two(date.getUTCHours()),
    mm: two(date.getUTCMinutes()),
    ss: two(date.getUTCSeconds()),
  };
  return format.replace(/YYYY|MM|DD|HH|mm|ss/g, (t) => tokens[t]!);
}

// defineProperty rather than assignment: a target named `__proto__` becomes an ordinary field
// instead of replacing the object's prototype.
function define(obj: MappedFields, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// Groups are tracked so that a mapping never writes into a value another mapping produced (a
// source field holding an object belongs to the lead snapshot and must not be changed).
function setPath(root: MappedFields, groups: WeakSet<object>, target: string, value: unknown): void {
  const keys = target.split(".");
  let node = root;
  keys.slice(0, -1).forEach((key, i) => {
    if (!Object.hasOwn(node, key)) {
      const group: MappedFields = {};
      groups.add(group);
      define(node, key, group);
    }
    const next = node[key];
    if (typeof next !== "object" || next === null || !groups.has(next)) {
      throw new RenderError(`The field mapping "${target}" conflicts with "${keys.slice(0, i + 1).join(".")}": a field cannot be both a value and a group.`);
    }
    node = next as MappedFields;
  });
  const last = keys[keys.length - 1]!;
  if (Object.hasOwn(node, last)) {
    throw new RenderError(`The field mapping "${target}" conflicts with another mapping to the same name or its fields.`);
  }
  define(node, last, value);
}
