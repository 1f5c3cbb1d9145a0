import { SimpleTable, type SimpleColumn } from "@/components/data-table";
import type { FieldRow } from "./schema-rows";

const COLUMNS: SimpleColumn<FieldRow>[] = [
  {
    header: "Field",
    className: "whitespace-nowrap font-mono text-xs",
    cell: (r) => (
      <>
        <span className="text-slate-900">{r.name}</span>
        {r.required && <span className="ml-1.5 font-sans text-[11px] font-medium text-red-700">required</span>}
      </>
    ),
  },
  { header: "Type", className: "font-mono text-xs", cell: (r) => <span className="text-slate-600">{r.type}</span> },
  {
    header: "Description",
    cell: (r) => (
      <>
        {r.description}
        {r.notes.length > 0 && <span className="block text-xs text-slate-500">{r.notes.join(" · ")}</span>}
      </>
    ),
  },
];

/** A readable table of a schema's fields (nothing when it has none). */
export function FieldsTable({ rows, caption }: { rows: FieldRow[]; caption: string }) {
  // Variants repeat field names: the index keeps the rows apart.
  return <SimpleTable caption={caption} columns={COLUMNS} rows={rows} getRowId={(r, i) => `${i}-${r.name}`} empty={null} className="rounded-md bg-white ring-1 ring-slate-200" />;
}
