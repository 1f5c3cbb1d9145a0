// The look every table shares (DataTable and SimpleTable): a grey header row of small capitals,
// rows divided by hairlines, the first and last columns indented to the card's edge.

export const tableClass = "min-w-full divide-y divide-slate-200 text-sm";
export const headClass = "bg-slate-50";
export const headerCellClass = "px-2.5 py-2.5 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 first:pl-4 last:pr-4";
export const bodyClass = "divide-y divide-slate-100";
export const rowClass = "align-top hover:bg-slate-50/60";
export const cellClass = "px-2.5 py-3 text-slate-700 first:pl-4 last:pr-4";
