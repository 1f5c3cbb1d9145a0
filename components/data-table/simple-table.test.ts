import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { SimpleTable, type SimpleColumn, type SimpleTableProps } from "./simple-table";

type Row = { id: string; title: string; count: number };

const columns: SimpleColumn<Row>[] = [
  { header: "Title", rowHeader: true, cell: (r) => r.title },
  { header: "Count", className: "text-right", cell: (r) => r.count },
  { header: "Actions", headerHidden: true, cell: (r) => `Edit ${r.title}` },
];

const render = (props: Partial<SimpleTableProps<Row>>) =>
  renderToStaticMarkup(createElement(SimpleTable<Row>, { caption: "Things", columns, rows: [], getRowId: (r) => r.id, ...props }));

describe("SimpleTable", () => {
  it("names the table with a caption and marks column and row headers", () => {
    const html = render({ rows: [{ id: "a", title: "Alpha", count: 2 }] });
    expect(html).toContain('<caption class="sr-only">Things</caption>');
    expect(html.match(/<th scope="col"/g)).toHaveLength(3);
    expect(html).toMatch(/<th scope="col"[^>]*><span class="sr-only">Actions<\/span><\/th>/);
    expect(html).toMatch(/<th scope="row"[^>]*>Alpha<\/th>/);
    expect(html).toMatch(/<td class="[^"]*text-right[^"]*">2<\/td>/);
  });

  it("shows the empty state instead of the table when there are no rows", () => {
    expect(render({ empty: createElement("p", null, "Nothing yet.") })).toBe("<p>Nothing yet.</p>");
    expect(render({ empty: null })).toBe("");
  });

  it("shows an empty table when no empty state is given", () => {
    const html = render({});
    expect(html).toContain("<table");
    expect(html).toContain("<tbody");
    expect(html).not.toContain("<td");
  });

  it("hides the table in a visually hidden box, not a scroll box, when it is for screen readers only", () => {
    expect(render({ srOnly: true })).toMatch(/^<div class="sr-only"><table/);
    expect(render({ className: "-mx-5" })).toMatch(/^<div class="relative overflow-x-auto -mx-5"><table/);
  });

  it("keys rows by getRowId with the index, so repeated rows render", () => {
    const rows = [
      { id: "x", title: "Same", count: 1 },
      { id: "x", title: "Same", count: 1 },
    ];
    expect(render({ rows, getRowId: (r, i) => `${i}-${r.id}` }).match(/<tr/g)).toHaveLength(3);
  });
});
