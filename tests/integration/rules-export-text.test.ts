import { DOMParser } from "@xmldom/xmldom";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as exportRules } from "@/app/api/rules/export/route";
import { newId } from "@/lib/core/ids";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

// Issue 9, item 13: whatever characters a rule's fields hold, the exported workbook opens in Excel
// without a repair prompt, i.e. every part is well-formed XML, and each cell shows the value as
// documented in lib/rules/sheet-text.ts.

const prisma = useTestDatabase();

const controls = Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i))
  .filter((c) => c !== "\u0000") // PostgreSQL text cannot hold NUL; the API refuses it
  .join("");
// Tab and LF stay; CR is a line break, written as LF (XML turns a raw CR into LF anyway).
const pictures = Array.from({ length: 0x20 }, (_, i) => (i === 0 ? "" : i === 9 || i === 10 ? String.fromCharCode(i) : i === 13 ? "\n" : String.fromCharCode(0x2400 + i))).join("");

/** [stored title, what its cell shows] */
const CASES: [string, string][] = [
  [`ctl ${controls} end`, `ctl ${pictures} end`],
  ["nonchars \uFFFE and \uFFFF", "nonchars \uFFFD and \uFFFD"],
  ["bell \u0007, vertical tab \u000B, delete \u007F", "bell \u2407, vertical tab \u240B, delete \u2421"],
  ["=HYPERLINK(\"http://evil.test\")", "'=HYPERLINK(\"http://evil.test\")"],
  ["+1+2", "'+1+2"],
  ["-2+3", "'-2+3"],
  ["@SUM(A1)", "'@SUM(A1)"],
  ["\u0001=1+1", "\u2401=1+1"],
  ["line\r\nbreaks\rall\nkinds", "line\nbreaks\nall\nkinds"],
  ["emoji 😀 kept, é and 中 too", "emoji 😀 kept, é and 中 too"],
  ["<b>&amp; \"quotes\" 'single'</b>", "<b>&amp; \"quotes\" 'single'</b>"],
];

const LONG = `${"x".repeat(40_000)}`;
const LONG_WITH_PAIR = `${"y".repeat(32_700)}${"😀".repeat(200)}`;

let organizationId = "";
let viewerId = "";

beforeAll(async () => {
  const org = await createTestOrg(prisma(), "Odd Text Firm");
  organizationId = org.org.id;
  viewerId = org.viewer.id;
  // A reference name with control characters reaches the sheet through "Creation Rules".
  const status = await prisma().referenceItem.findFirstOrThrow({ where: { organizationId, kind: "LEAD_STATUS", parentId: null } });
  await prisma().referenceItem.update({ where: { id: status.id }, data: { name: `St\u0002atus\u001B` } });
  const titles = [...CASES.map(([stored]) => stored), LONG, LONG_WITH_PAIR];
  for (const [i, title] of titles.entries()) {
    await prisma().webhookRule.create({
      data: {
        id: newId("rule"),
        organizationId,
        title,
        url: `https://hooks.example.com/${i}?q=\u0003`,
        events: ["lead.created"],
        statusId: i === 0 ? status.id : undefined,
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      },
    });
  }
});

// XML 1.0's Char production; xmldom parses leniently and lets characters outside it through.
const NOT_XML_CHAR = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const isXmlChar = (code: number) => code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);

/** Everything that makes `xml` not well-formed: parser errors, raw characters and character references XML cannot hold. */
function xmlProblems(name: string, xml: string): string[] {
  const problems: string[] = [];
  new DOMParser({
    onError: (level, msg) => {
      // "warning" is only advice (e.g. that U+FFFD appears, which is a valid character).
      if (level !== "warning") problems.push(`${name}: ${level}: ${msg}`);
    },
  }).parseFromString(xml, "text/xml");
  const bad = NOT_XML_CHAR.exec(xml);
  if (bad) problems.push(`${name}: character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at ${bad.index}`);
  for (const ref of xml.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const code = ref[1]!.startsWith("x") ? parseInt(ref[1]!.slice(1), 16) : parseInt(ref[1]!, 10);
    if (!isXmlChar(code)) problems.push(`${name}: character reference ${ref[0]} at ${ref.index}`);
  }
  return problems;
}

async function download(): Promise<ArrayBuffer> {
  await signInAs(prisma(), viewerId);
  const res = await exportRules(new Request("http://localhost/api/rules/export?sort=created&dir=asc"));
  expect(res.status).toBe(200);
  return res.arrayBuffer();
}

describe("rules export of any stored text", () => {
  it("writes every part of the workbook as well-formed XML", async () => {
    const zip = await JSZip.loadAsync(await download());
    const parts = Object.keys(zip.files).filter((name) => /\.(xml|rels)$/.test(name));
    expect(parts).toEqual(expect.arrayContaining(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]));
    for (const name of parts) {
      const xml = await zip.file(name)!.async("string");
      expect(xmlProblems(name, xml), name).toEqual([]);
    }
  });

  it("shows each value as documented: stand-ins for what XML cannot hold, formulas neutralised, long text cut at Excel's limit", async () => {
    const file = await download();
    // It opens (exceljs reads it back) with a header and one row per rule.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(file);
    expect(workbook.worksheets[0]!.rowCount).toBe(CASES.length + 3);
    // The values as a spreadsheet reads them: the sheet's XML, parsed (exceljs's reader decodes
    // entities twice, so "&amp;" would come back as "&" although the file holds it correctly).
    const xml = await (await JSZip.loadAsync(file)).file("xl/worksheets/sheet1.xml")!.async("string");
    const doc = new DOMParser().parseFromString(xml, "text/xml");
    const rows = Array.from(doc.getElementsByTagName("row"))
      .slice(1)
      .map((row) => Array.from(row.getElementsByTagName("c")).map((c) => c.getElementsByTagName("v")[0]?.textContent ?? c.textContent ?? ""));
    expect(rows.map((r) => r[1]).slice(0, CASES.length)).toEqual(CASES.map(([, shown]) => shown));
    expect(rows[0]?.[4]).toBe("Status: St\u2402atus\u241B");
    expect(rows[0]?.[3]).toBe("https://hooks.example.com/0?q=\u2403");

    const long = rows[CASES.length]?.[1] ?? "";
    expect(long).toHaveLength(32_767);
    expect(long).toMatch(/^x+ … \[cut: 40,000 characters in full\]$/);
    const pair = rows[CASES.length + 1]?.[1] ?? "";
    expect(pair.length).toBeLessThanOrEqual(32_767);
    expect(pair).toMatch(/^y{32700}(😀)+ … \[cut: 33,100 characters in full\]$/u);
  });
});
