export { DataTable, createColumnHelper, dataTableFeatures, type DataTableColumnMeta, type DataTableColumns, type DataTableFeatures, type DataTableProps, type ListPage } from "./data-table";
export { SimpleTable, type SimpleColumn, type SimpleTableProps } from "./simple-table";
