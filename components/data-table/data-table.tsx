"use client";

import { createColumnHelper, metaHelper, rowSortingFeature, tableFeatures, useTable, type RowData, type SortingState, type Updater } from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import { useMemo } from "react";
import { cn } from "@/components/ui/cn";
import { DataTableFilter, DataTablePagination, useTableNavigation } from "./data-table-controls";
import { bodyClass, cellClass, headClass, headerCellClass, rowClass, tableClass } from "./table-classes";
import type { SortDir } from "@/lib/core/list-params";

// The one table every list uses. Processing is server-owned: sort, filter and page live in the
// URL (?q=&sort=&dir=&page=&size=), the page's server component runs the query and hands this
// component one page of rows. TanStack Table v9 supplies the column model and sort state; the
// markup, keyboard and screen-reader behaviour are ours.

export interface DataTableColumnMeta {
  /** Classes for the column's <th> and <td> (widths, alignment). */
  className?: string;
}

export const dataTableFeatures = tableFeatures({ rowSortingFeature, columnMeta: metaHelper<DataTableColumnMeta>() });
export type DataTableFeatures = typeof dataTableFeatures;
// What createColumnHelper().columns() returns: each column keeps its own accessor value type, so
// the array's value type is TanStack's `any` (not ours to narrow).
export type DataTableColumns<Row extends RowData> = ReturnType<ReturnType<typeof createColumnHelper<DataTableFeatures, Row>>["columns"]>;

export { createColumnHelper } from "@tanstack/react-table";

/** One page of a server-side list, as every list query returns it with the URL's params. */
export interface ListPage<Row> {
  rows: Row[];
  total: number;
  page: number;
  pageCount: number;
  size: number;
  sort: string;
  dir: SortDir;
  q: string;
}

export interface DataTableProps<Row extends RowData> extends ListPage<Row> {
  /** Accessible name of the table, e.g. "Webhook rules". */
  label: string;
  /** Column ids double as the server's sort keys; set enableSorting: false on the others. */
  columns: DataTableColumns<Row>;
  getRowId: (row: Row) => string;
  /** Shown instead of the table when there are no rows at all. */
  emptyState: React.ReactNode;
  /** Shown when the filter matches nothing. */
  noMatchState: React.ReactNode;
  filterPlaceholder?: string;
  /** Rendered at the bottom right, under the pagination. */
  footer?: React.ReactNode;
}

export function DataTable<Row extends RowData>(props: DataTableProps<Row>) {
  const { label, columns, rows, getRowId, total, page, pageCount, size, sort, dir, q, emptyState, noMatchState, filterPlaceholder, footer } = props;
  const nav = useTableNavigation();
  const sorting = useMemo<SortingState>(() => [{ id: sort, desc: dir === "desc" }], [sort, dir]);

  const table = useTable({
    features: dataTableFeatures,
    columns,
    data: rows,
    getRowId,
    state: { sorting },
    // The table computes the next sort (same column flips, a new column starts ascending); the
    // URL is the state, so the change becomes a navigation and the server re-sorts.
    onSortingChange: (updater: Updater<SortingState>) => {
      const next = typeof updater === "function" ? updater(sorting) : updater;
      const first = next[0];
      if (first) nav.go({ sort: first.id, dir: first.desc ? "desc" : "asc" });
    },
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    sortDescFirst: false,
  });

  if (total === 0 && !q) {
    return (
      <div className="space-y-3">
        <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">{emptyState}</div>
        {footer && <div className="flex justify-end">{footer}</div>}
      </div>
    );
  }

  return (
    <div className="space-y-3">
      <DataTableFilter q={q} placeholder={filterPlaceholder} onChange={(value) => nav.go({ q: value })} />
      {/* relative: the scroll box is the containing block of absolutely placed content (sr-only
          text), so a table wider than the screen scrolls here and never widens the page. */}
      <div className={cn("relative overflow-x-auto rounded-lg bg-white shadow-sm ring-1 ring-slate-200 transition-opacity", nav.pending && "opacity-60")} aria-busy={nav.pending}>
        {total === 0 ? (
          noMatchState
        ) : (
          <table className={tableClass} aria-label={label}>
            <thead className={headClass}>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>
                  {group.headers.map((header) => {
                    const column = header.column;
                    const canSort = column.getCanSort();
                    const sorted = column.getIsSorted();
                    const className = column.columnDef.meta?.className;
                    return (
                      <th
                        key={header.id}
                        scope="col"
                        aria-sort={canSort ? (sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none") : undefined}
                        className={cn(headerCellClass, className)}
                      >
                        {header.isPlaceholder ? null : canSort ? (
                          <button
                            type="button"
                            onClick={column.getToggleSortingHandler()}
                            className="-mx-1 inline-flex items-center gap-1 rounded px-1 py-0.5 uppercase hover:bg-slate-200/60 hover:text-slate-900"
                          >
                            <table.FlexRender header={header} />
                            {sorted === "asc" ? <ArrowUp aria-hidden className="h-3.5 w-3.5" /> : sorted === "desc" ? <ArrowDown aria-hidden className="h-3.5 w-3.5" /> : <ArrowUpDown aria-hidden className="h-3.5 w-3.5 text-slate-400" />}
                          </button>
                        ) : (
                          <table.FlexRender header={header} />
                        )}
                      </th>
                    );
                  })}
                </tr>
              ))}
            </thead>
            <tbody className={bodyClass}>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} className={rowClass}>
                  {row.getAllCells().map((cell) => (
                    <td key={cell.id} className={cn(cellClass, cell.column.columnDef.meta?.className)}>
                      <table.FlexRender cell={cell} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="flex flex-wrap items-start justify-between gap-4">
        {total > 0 && (
          <DataTablePagination page={page} pageCount={pageCount} size={size} total={total} pending={nav.pending} onPage={(p) => nav.go({ page: p })} onSize={(s) => nav.go({ size: s })} />
        )}
        {footer && <div className="ml-auto">{footer}</div>}
      </div>
    </div>
  );
}
