import { cn } from "@/components/ui/cn";
import { bodyClass, cellClass, headClass, headerCellClass, rowClass, tableClass } from "./table-classes";

// DataTable's small sibling, for the short fixed lists inside a card (users, API keys, a lead's
// webhooks, the dashboard's rules): the same look and the same table semantics (a caption, column
// headers, optional row headers, an empty state), with every row on the page and no URL state.
// No hooks, so a server component can render it; a cell that needs state renders its own component.

export interface SimpleColumn<Row> {
  /** The column header; also the name screen readers give each cell. */
  header: string;
  /** Keeps the header for screen readers only (e.g. "Actions" above a column of buttons). */
  headerHidden?: boolean;
  /** The cell is the row's header (<th scope="row">), e.g. the title that names the row. */
  rowHeader?: boolean;
  /** Classes for the column's header and cells (widths, alignment). */
  className?: string;
  /** Classes for the header only, or the cells only (e.g. a sticky column's backgrounds). */
  headerClassName?: string;
  cellClassName?: string;
  cell: (row: Row) => React.ReactNode;
}

export interface SimpleTableProps<Row> {
  /** The table's accessible name, e.g. "Users of the organization" (a visually hidden caption). */
  caption: React.ReactNode;
  columns: readonly SimpleColumn<Row>[];
  rows: readonly Row[];
  /** A stable key per row (the index for rows that may repeat). */
  getRowId: (row: Row, index: number) => string;
  /** Shown instead of the table when there are no rows; without it an empty table is shown. */
  empty?: React.ReactNode;
  /** Classes for the scroll box around the table (e.g. negative margins to reach a card's edges). */
  className?: string;
  /** Rendered under the table, inside the scroll box. */
  footer?: React.ReactNode;
  /**
   * For screen readers only (e.g. a chart's numbers): the box around the table is visually hidden
   * instead of scrolling (a table does not shrink to 1 px, and a scroll box without anything
   * focusable in it cannot be scrolled from the keyboard).
   */
  srOnly?: boolean;
}

export function SimpleTable<Row>({ caption, columns, rows, getRowId, empty, className, footer, srOnly }: SimpleTableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    // relative: the scroll box is the containing block of absolutely placed content (sr-only
    // text), so a table wider than the screen scrolls here and never widens the page.
    <div className={srOnly ? "sr-only" : cn("relative overflow-x-auto", className)}>
      <table className={tableClass}>
        <caption className="sr-only">{caption}</caption>
        <thead className={headClass}>
          <tr>
            {columns.map((col) => (
              <th key={col.header} scope="col" className={cn(headerCellClass, col.className, col.headerClassName)}>
                {col.headerHidden ? <span className="sr-only">{col.header}</span> : col.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={bodyClass}>
          {rows.map((row, i) => (
            <tr key={getRowId(row, i)} className={rowClass}>
              {columns.map((col) =>
                col.rowHeader ? (
                  <th key={col.header} scope="row" className={cn(cellClass, "text-left font-normal", col.className, col.cellClassName)}>
                    {col.cell(row)}
                  </th>
                ) : (
                  <td key={col.header} className={cn(cellClass, col.className, col.cellClassName)}>
                    {col.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {footer}
    </div>
  );
}
