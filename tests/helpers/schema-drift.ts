import type { Datamodel, DmmfField, DmmfModel } from "./prisma-dmmf";

// Compares a Prisma datamodel with the catalog of a migrated PostgreSQL (or PGlite) database and
// lists every disagreement in words. Migrations are written by hand here, so this is what stands
// in for `prisma migrate diff`: the rules below are the column types and constraints Prisma's own
// migrations would create for each schema construct.

export interface DbColumn {
  name: string;
  type: string; // format_type() without identifier quotes, e.g. "timestamp(3) without time zone", "Role[]"
  nullable: boolean;
  hasDefault: boolean;
}

export interface DbForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

export interface DbSnapshot {
  tables: Record<string, DbColumn[]>;
  enums: Record<string, string[]>;
  primaryKeys: Record<string, string[]>;
  uniques: { table: string; columns: string[] }[];
  foreignKeys: DbForeignKey[];
}

/** Runs one SQL statement and returns its rows; adapter-agnostic (PGlite, pg, Prisma raw). */
export type QueryFn = (sql: string) => Promise<Record<string, unknown>[]>;

// Every catalog query returns a single JSON text value so no driver has to map name[] or oid types.
async function jsonRows<T>(query: QueryFn, sql: string): Promise<T[]> {
  const rows = await query(`SELECT coalesce(json_agg(x), '[]'::json)::text AS j FROM (${sql}) x`);
  return JSON.parse(String(rows[0]?.j ?? "[]")) as T[];
}

const ACTIONS: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };

export async function snapshotDatabase(query: QueryFn): Promise<DbSnapshot> {
  const columns = await jsonRows<{ table: string } & DbColumn>(
    query,
    `SELECT c.relname AS "table", a.attname AS name, replace(format_type(a.atttypid, a.atttypmod), '"', '') AS type,
            NOT a.attnotnull AS nullable, a.atthasdef AS "hasDefault"
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  const tableNames = await jsonRows<{ name: string }>(
    query,
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')`,
  );
  const enumValues = await jsonRows<{ name: string; value: string }>(
    query,
    `SELECT t.typname AS name, e.enumlabel AS value FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = current_schema()
      ORDER BY t.typname, e.enumsortorder`,
  );
  const constraints = await jsonRows<{ table: string; kind: string; columns: string[]; refTable: string | null; refColumns: string[] | null; del: string; upd: string }>(
    query,
    `SELECT c.relname AS "table", k.contype AS kind,
            (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(num, ord)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num) AS columns,
            r.relname AS "refTable",
            (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(num, ord)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num) AS "refColumns",
            k.confdeltype AS del, k.confupdtype AS upd
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_class r ON r.oid = k.confrelid
      WHERE n.nspname = current_schema() AND k.contype IN ('p', 'f', 'u')`,
  );
  // Prisma creates @unique and @@unique as unique indexes, not constraints; read both.
  const uniqueIndexes = await jsonRows<{ table: string; columns: string[] }>(
    query,
    `SELECT c.relname AS "table",
            (SELECT array_agg(a.attname ORDER BY u.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(num, ord)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.num) AS columns
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND i.indisunique AND NOT i.indisprimary`,
  );

  const tables: Record<string, DbColumn[]> = Object.fromEntries(tableNames.map((t) => [t.name, []]));
  for (const { table, ...col } of columns) tables[table]?.push(col);
  const enums: Record<string, string[]> = {};
  for (const e of enumValues) (enums[e.name] ??= []).push(e.value);
  const primaryKeys: Record<string, string[]> = {};
  const uniques = uniqueIndexes.map((u) => ({ table: u.table, columns: u.columns }));
  const foreignKeys: DbForeignKey[] = [];
  for (const k of constraints) {
    if (k.kind === "p") primaryKeys[k.table] = k.columns;
    else if (k.kind === "u") {
      if (!uniques.some((u) => u.table === k.table && same(u.columns, k.columns))) uniques.push({ table: k.table, columns: k.columns });
    } else {
      foreignKeys.push({
        table: k.table,
        columns: k.columns,
        refTable: k.refTable ?? "?",
        refColumns: k.refColumns ?? [],
        onDelete: ACTIONS[k.del] ?? k.del,
        onUpdate: ACTIONS[k.upd] ?? k.upd,
      });
    }
  }
  return { tables, enums, primaryKeys, uniques, foreignKeys };
}

const SCALAR_TYPES: Record<string, string> = {
  String: "text",
  Int: "integer",
  BigInt: "bigint",
  Float: "double precision",
  Decimal: "numeric(65,30)",
  Boolean: "boolean",
  DateTime: "timestamp(3) without time zone",
  Json: "jsonb",
  Bytes: "bytea",
};

// @db.* attributes, as format_type() prints them.
function nativeType([name, args]: [string, string[]]): string | null {
  const withArgs = (base: string) => (args.length ? `${base}(${args.join(",")})` : base);
  switch (name) {
    case "Text": return "text";
    case "VarChar": return withArgs("character varying");
    case "Char": return withArgs("character");
    case "Uuid": return "uuid";
    case "Integer": return "integer";
    case "SmallInt": return "smallint";
    case "BigInt": return "bigint";
    case "DoublePrecision": return "double precision";
    case "Real": return "real";
    case "Decimal": return withArgs("numeric");
    case "Timestamp": return `timestamp(${args[0] ?? "3"}) without time zone`;
    case "Timestamptz": return `timestamp(${args[0] ?? "3"}) with time zone`;
    case "Date": return "date";
    case "JsonB": return "jsonb";
    case "Json": return "json";
    case "Inet": return "inet";
    case "ByteA": return "bytea";
    default: return null;
  }
}

function expectedType(field: DmmfField, enumDbName: (name: string) => string): string | null {
  let base: string | null;
  if (field.kind === "enum") base = enumDbName(field.type);
  else if (field.nativeType) base = nativeType(field.nativeType);
  else base = SCALAR_TYPES[field.type] ?? null;
  return base && field.isList ? `${base}[]` : base;
}

// Defaults Prisma Client fills in itself; the column has no database default for them.
const CLIENT_DEFAULTS = new Set(["uuid", "cuid", "nanoid", "ulid"]);

function expectsDbDefault(field: DmmfField & { default?: unknown }): boolean {
  if (!field.hasDefaultValue) return false;
  const d = field.default;
  return !(d && typeof d === "object" && !Array.isArray(d) && CLIENT_DEFAULTS.has((d as { name: string }).name));
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const list = (cols: string[]) => `(${cols.join(", ")})`;

/** Every way the database disagrees with the datamodel, one sentence each; empty when they match. */
export function diffSchema(dm: Datamodel, db: DbSnapshot): string[] {
  const out: string[] = [];
  const enumDb = new Map(dm.enums.map((e) => [e.name, e.dbName ?? e.name]));
  const enumDbName = (name: string) => enumDb.get(name) ?? name;
  const modelByName = new Map(dm.models.map((m) => [m.name, m]));
  const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
  const columnOf = (m: DmmfModel, fieldName: string) => {
    const f = m.fields.find((x) => x.name === fieldName);
    return f?.dbName ?? fieldName;
  };

  // Enums: same names, same values in the same order.
  for (const e of dm.enums) {
    const name = enumDbName(e.name);
    const want = e.values.map((v) => v.dbName ?? v.name);
    const have = db.enums[name];
    if (!have) out.push(`enum ${name}: missing in the database`);
    else if (!same(want, have)) out.push(`enum ${name}: database has [${have.join(", ")}], schema has [${want.join(", ")}]`);
  }
  for (const name of Object.keys(db.enums)) {
    if (![...enumDb.values()].includes(name)) out.push(`enum ${name}: in the database but not in the schema`);
  }

  const modelTables = new Set(dm.models.map(tableOf));
  for (const table of Object.keys(db.tables)) {
    if (table !== "_prisma_migrations" && !modelTables.has(table)) out.push(`table ${table}: in the database but not in the schema`);
  }

  for (const model of dm.models) {
    const table = tableOf(model);
    const columns = db.tables[table];
    if (!columns) {
      out.push(`table ${table}: missing in the database (model ${model.name})`);
      continue;
    }
    const scalars = model.fields.filter((f) => f.kind === "scalar" || f.kind === "enum");
    for (const field of scalars) {
      const colName = field.dbName ?? field.name;
      const where = `${table}.${colName}`;
      const col = columns.find((c) => c.name === colName);
      if (!col) {
        out.push(`${where}: column missing in the database`);
        continue;
      }
      const type = expectedType(field, enumDbName);
      if (!type) out.push(`${where}: the drift check does not know the type ${field.type}${field.nativeType ? ` @db.${field.nativeType[0]}` : ""}`);
      else if (col.type !== type) out.push(`${where}: column type is ${col.type}, schema expects ${type}`);
      // Prisma creates list columns without NOT NULL; other columns are NOT NULL exactly when required.
      const nullable = field.isList || !field.isRequired;
      if (col.nullable !== nullable) out.push(`${where}: column is ${col.nullable ? "nullable" : "NOT NULL"}, schema expects ${nullable ? "nullable" : "NOT NULL"}`);
      const wantDefault = expectsDbDefault(field);
      if (col.hasDefault !== wantDefault) out.push(`${where}: column ${col.hasDefault ? "has" : "has no"} default, schema expects ${wantDefault ? "one" : "none"}`);
    }
    for (const col of columns) {
      if (!scalars.some((f) => (f.dbName ?? f.name) === col.name)) out.push(`${table}.${col.name}: column in the database but not in model ${model.name}`);
    }

    const pk = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
    const pkCols = pk.map((f) => columnOf(model, f));
    const havePk = db.primaryKeys[table] ?? [];
    if (!same(pkCols, havePk)) out.push(`${table}: primary key is ${list(havePk)}, schema expects ${list(pkCols)}`);

    const wantUniques = [...model.fields.filter((f) => f.isUnique).map((f) => [f.name]), ...model.uniqueFields].map((fs) => fs.map((f) => columnOf(model, f)));
    const haveUniques = db.uniques.filter((u) => u.table === table).map((u) => u.columns);
    for (const u of wantUniques) if (!haveUniques.some((h) => same(h, u))) out.push(`${table}: unique index on ${list(u)} missing`);
    for (const h of haveUniques) if (!wantUniques.some((u) => same(h, u))) out.push(`${table}: unique index on ${list(h)} in the database but not in the schema`);

    // Foreign keys: one per relation field that holds the scalar side (relationFromFields).
    const relations = model.fields.filter((f) => f.kind === "object" && f.relationFromFields?.length);
    const haveFks = db.foreignKeys.filter((k) => k.table === table);
    for (const rel of relations) {
      const target = modelByName.get(rel.type);
      if (!target) continue;
      const cols = rel.relationFromFields!.map((f) => columnOf(model, f));
      const refCols = (rel.relationToFields ?? []).map((f) => columnOf(target, f));
      const fk = haveFks.find((k) => same(k.columns, cols));
      const where = `${table}${list(cols)}`;
      if (!fk) {
        out.push(`${where}: foreign key to ${tableOf(target)} missing (relation ${model.name}.${rel.name})`);
        continue;
      }
      if (fk.refTable !== tableOf(target) || !same(fk.refColumns, refCols)) {
        out.push(`${where}: foreign key references ${fk.refTable}${list(fk.refColumns)}, schema expects ${tableOf(target)}${list(refCols)}`);
      }
      // Prisma's defaults: Restrict when the relation is required, SetNull when optional; updates cascade.
      const onDelete = rel.relationOnDelete ?? (rel.isRequired ? "Restrict" : "SetNull");
      if (fk.onDelete !== onDelete) out.push(`${where}: foreign key ON DELETE ${fk.onDelete}, schema expects ${onDelete}`);
      const onUpdate = (rel as { relationOnUpdate?: string }).relationOnUpdate ?? "Cascade";
      if (fk.onUpdate !== onUpdate) out.push(`${where}: foreign key ON UPDATE ${fk.onUpdate}, schema expects ${onUpdate}`);
    }
    for (const fk of haveFks) {
      if (!relations.some((r) => same(fk.columns, r.relationFromFields!.map((f) => columnOf(model, f))))) {
        out.push(`${table}${list(fk.columns)}: foreign key to ${fk.refTable} in the database but no relation in model ${model.name}`);
      }
    }
  }
  return out;
}
