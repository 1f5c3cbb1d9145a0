export { DataTable, createColumnHelper, dataTableFeatures, type DataTableColumnMeta, type DataTableColumns, type DataTableFeatures, type DataTableProps, type ListPage } from "./data-table";
