import { describe, expect, it } from "vitest";
import { insertFrom, writeAll, type Guard, type Sql, type TableRows } from "./sql";

// writeAll makes its statement once per shape (sql.ts, writeStatement). What it sends must be
// exactly the statement the shape describes, however often and in whatever order shapes come.

/** A handle that answers every statement as if each table got its rows and the guard held, and keeps what it was sent. */
function recording() {
  const sent: { text: string; name?: string; params: readonly unknown[] }[] = [];
  const q: Sql = {
    query: async <T,>(text: string, params: readonly unknown[] = [], name?: string) => {
      sent.push({ text, name, params });
      return [{ n0: 1, n1: 1, n2: 1, held: true, read: null }] as T[];
    },
  };
  return { q, sent };
}

const LEADS = { table: "Lead", columns: { id: "text", email: "text" } } as const;
const EVENTS = { table: "Event", columns: { id: "text", createdAt: "timestamp" } } as const;
const GUARD: Guard = { text: `SELECT 1 FROM "ApiKey" WHERE id = $1`, params: ["key_1"] };

const rows = (t: { table: string; columns: TableRows["columns"] }, ...ids: string[]): TableRows => ({ ...t, rows: ids.map((id) => ({ id })) });

describe("writeAll's statement, made once per shape", () => {
  it("sends the same text and name for the same shape, with each call's own rows", async () => {
    const { q, sent } = recording();
    await writeAll(q, [rows(LEADS, "a"), rows(EVENTS, "e1")], GUARD);
    await writeAll(q, [rows(LEADS, "b"), rows(EVENTS, "e2", "e3")], GUARD);
    expect(sent[1]!.text).toBe(sent[0]!.text);
    expect(sent[1]!.name).toBe(sent[0]!.name);
    expect(sent[0]!.params).toEqual([JSON.stringify([{ id: "a" }]), JSON.stringify([{ id: "e1" }]), "key_1"]);
    expect(sent[1]!.params).toEqual([JSON.stringify([{ id: "b" }]), JSON.stringify([{ id: "e2" }, { id: "e3" }]), "key_1"]);
    expect(sent[0]!.text).toContain(insertFrom(rows(LEADS), 1, " WHERE EXISTS (SELECT 1 FROM guard)"));
    expect(sent[0]!.text).toContain("guard AS (SELECT 1 FROM \"ApiKey\" WHERE id = $3)");
  });

  it("makes a different statement for each part of a shape that differs", async () => {
    const { q, sent } = recording();
    const variants: [TableRows[], Guard?][] = [
      [[rows(LEADS, "a"), rows(EVENTS, "e")]],
      [[rows(LEADS, "a"), rows(EVENTS, "e")], GUARD],
      [[rows(LEADS, "a"), rows(EVENTS, "e")], { text: `SELECT 1 FROM "Organization" WHERE id = $1`, params: ["org_1"] }],
      [[rows(EVENTS, "e"), rows(LEADS, "a")]],
      [[rows(LEADS, "a")]],
      [[{ ...rows(LEADS, "a"), skipDuplicates: true }]],
      [[{ ...rows(LEADS, "a"), returning: "id" }]],
      [[{ ...rows(LEADS, "a"), expressions: { email: "lower(x.email)" } }]],
      [[{ ...rows(LEADS, "a"), columns: { id: "text" } }]],
      [[{ ...rows(LEADS, "a"), table: "Lead2" }]],
    ];
    for (const [tables, guard] of variants) await writeAll(q, tables, guard);
    // Each again, in reverse order: the memo gives each shape back its own statement.
    for (const [tables, guard] of [...variants].reverse()) await writeAll(q, tables, guard);
    const first = sent.slice(0, variants.length).map((s) => s.text);
    const again = sent.slice(variants.length).map((s) => s.text).reverse();
    expect(new Set(first).size).toBe(variants.length);
    expect(again).toEqual(first);
    expect(first[5]).toContain("ON CONFLICT DO NOTHING");
    expect(first[6]).toContain("RETURNING id");
    expect(first[7]).toContain("lower(x.email)");
  });

  it("gives columns made afresh with the same content the same statement as the constant", async () => {
    const { q, sent } = recording();
    await writeAll(q, [rows(LEADS, "a")]);
    await writeAll(q, [{ table: "Lead", columns: { id: "text", email: "text" }, rows: [{ id: "b" }] }]);
    expect(sent[1]!.text).toBe(sent[0]!.text);
    expect(sent[1]!.name).toBe(sent[0]!.name);
  });
});
