import type { FieldRow } from "./schema-rows";

/** A readable table of a schema's fields. */
export function FieldsTable({ rows, caption }: { rows: FieldRow[]; caption: string }) {
  if (!rows.length) return null;
  return (
    <div className="relative overflow-x-auto rounded-md ring-1 ring-slate-200">
      <table className="min-w-full divide-y divide-slate-200 text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-medium uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="px-3 py-2">Field</th>
            <th scope="col" className="px-3 py-2">Type</th>
            <th scope="col" className="px-3 py-2">Description</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 bg-white align-top">
          {rows.map((r, i) => (
            <tr key={`${i}-${r.name}`}>
              <td className="whitespace-nowrap px-3 py-2 font-mono text-xs text-slate-900">
                {r.name}
                {r.required && <span className="ml-1.5 font-sans text-[11px] font-medium text-red-700">required</span>}
              </td>
              <td className="px-3 py-2 font-mono text-xs text-slate-600">{r.type}</td>
              <td className="px-3 py-2 text-slate-700">
                {r.description}
                {r.notes.length > 0 && <span className="block text-xs text-slate-500">{r.notes.join(" · ")}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
