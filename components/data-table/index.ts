export { DataTable, createColumnHelper, dataTableFeatures, type DataTableColumnMeta, type DataTableColumns, type DataTableFeatures, type DataTableProps } from "./data-table";
