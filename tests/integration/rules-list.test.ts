import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { deleteRuleAction, toggleRuleAction } from "@/app/(admin)/rules/_list/actions";
import { GET as exportRules } from "@/app/api/rules/export/route";
import { newId } from "@/lib/core/ids";
import { listRules } from "@/lib/rules/list";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

const prisma = useTestDatabase();

type Org = Awaited<ReturnType<typeof createTestOrg>>;
let acme: Org;
let other: Org;

const day = (n: number) => new Date(Date.UTC(2026, 0, n, 12, 0, 0));

async function insertRule(organizationId: string, data: { title: string; url?: string; events?: string[]; enabled?: boolean; created?: number; statusId?: string; officeId?: string; caseTypeIds?: string[] }) {
  const id = newId("rule");
  await prisma().webhookRule.create({
    data: {
      id,
      organizationId,
      title: data.title,
      url: data.url ?? `https://hooks.example.com/${data.title.toLowerCase().replace(/\W+/g, "-")}`,
      events: data.events ?? ["lead.created"],
      enabled: data.enabled ?? true,
      statusId: data.statusId,
      officeId: data.officeId,
      createdAt: day(data.created ?? 1),
      caseTypes: data.caseTypeIds ? { create: data.caseTypeIds.map((caseTypeId) => ({ caseTypeId })) } : undefined,
    },
  });
  return id;
}

const refId = (organizationId: string, kind: "LEAD_STATUS" | "OFFICE" | "CASE_TYPE", name: string) =>
  prisma().referenceItem.findFirstOrThrow({ where: { organizationId, kind, name, parentId: null } }).then((r) => r.id);

let ids = {} as Record<"zapier" | "crm" | "billing" | "xss" | "formula" | "foreign", string>;

beforeAll(async () => {
  acme = await createTestOrg(prisma(), "Acme Law");
  other = await createTestOrg(prisma(), "Other Firm");
  const signedUp = await refId(acme.org.id, "LEAD_STATUS", "Signed Up");
  const downtown = await refId(acme.org.id, "OFFICE", "Downtown");
  const auto = await refId(acme.org.id, "CASE_TYPE", "Auto Accident");
  ids = {
    zapier: await insertRule(acme.org.id, { title: "Zapier intake", url: "https://hooks.zapier.com/hooks/catch/1/abc", created: 3, statusId: signedUp, officeId: downtown, caseTypeIds: [auto] }),
    crm: await insertRule(acme.org.id, { title: "CRM sync", events: ["lead.updated"], created: 1 }),
    billing: await insertRule(acme.org.id, { title: "Billing export", events: ["lead.converted"], enabled: false, created: 2, url: "https://billing.example.org/in" }),
    xss: await insertRule(acme.org.id, { title: "<script>alert(1)</script>", events: ["lead.status_changed"], created: 4 }),
    formula: await insertRule(acme.org.id, { title: "=HYPERLINK(\"http://evil\")", events: ["lead.deleted"], enabled: false, created: 5 }),
    foreign: await insertRule(other.org.id, { title: "Other org's Zapier rule", url: "https://hooks.zapier.com/other" }),
  };
  for (let i = 0; i < 30; i++) await insertRule(acme.org.id, { title: `Bulk rule ${String(i).padStart(2, "0")}`, events: ["lead.note_added"], created: 10 + i, url: "https://bulk.example.net/h" });
});

describe("listRules", () => {
  it("pages the organization's rules with a total, sorted by title by default", async () => {
    const page = await listRules(prisma(), acme.org.id, { size: 10 });
    expect(page.total).toBe(35);
    expect(page.pageCount).toBe(4);
    expect(page.rows).toHaveLength(10);
    expect(page.rows.every((r) => !r.title.startsWith("Other org"))).toBe(true);
    // Titles compare with the database's collation (C on PGlite, often en_US on PostgreSQL), so
    // the ordering assertions use titles both collations agree on.
    const bulk = await listRules(prisma(), acme.org.id, { q: "bulk rule", size: 10, page: 2 });
    expect(bulk.rows.map((r) => r.title)).toEqual(Array.from({ length: 10 }, (_, i) => `Bulk rule ${10 + i}`));
    const bulkDesc = await listRules(prisma(), acme.org.id, { q: "bulk rule", dir: "desc", size: 10 });
    expect(bulkDesc.rows[0]?.title).toBe("Bulk rule 29");
    const last = await listRules(prisma(), acme.org.id, { size: 10, page: 4 });
    expect(last.rows).toHaveLength(5);
    expect(last.page).toBe(4);
  });

  it("shows the last page for a page past the end", async () => {
    const page = await listRules(prisma(), acme.org.id, { size: 25, page: 99 });
    expect(page.page).toBe(2);
    expect(page.rows).toHaveLength(10);
  });

  it("sorts by created, status and url in either direction", async () => {
    const newest = await listRules(prisma(), acme.org.id, { sort: "created", dir: "desc", size: 10 });
    expect(newest.rows[0]?.title).toBe("Bulk rule 29");
    const oldest = await listRules(prisma(), acme.org.id, { sort: "created", dir: "asc", size: 10 });
    expect(oldest.rows.slice(0, 3).map((r) => r.id)).toEqual([ids.crm, ids.billing, ids.zapier]);
    const disabledFirst = await listRules(prisma(), acme.org.id, { sort: "status", dir: "asc", size: 10 });
    expect(disabledFirst.rows.slice(0, 2).map((r) => r.enabled)).toEqual([false, false]);
    expect(disabledFirst.rows[2]?.enabled).toBe(true);
    const byUrl = await listRules(prisma(), acme.org.id, { sort: "url", dir: "desc", size: 50 });
    const urls = byUrl.rows.map((r) => r.url);
    expect(urls).toEqual([...urls].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
  });

  it("filters case-insensitively on title and URL", async () => {
    const byTitle = await listRules(prisma(), acme.org.id, { q: "ZAPIER" });
    expect(byTitle.rows.map((r) => r.id)).toEqual([ids.zapier]);
    const byUrl = await listRules(prisma(), acme.org.id, { q: "billing.example" });
    expect(byUrl.rows.map((r) => r.id)).toEqual([ids.billing]);
    for (const q of ["%", "zap_er"]) expect((await listRules(prisma(), acme.org.id, { q })).rows, q).toEqual([]);
    const none = await listRules(prisma(), acme.org.id, { q: "no such rule" });
    expect(none).toMatchObject({ total: 0, rows: [], page: 1, pageCount: 1 });
  });

  it("matches the trigger's label, not only its stored name", async () => {
    const edited = await listRules(prisma(), acme.org.id, { q: "lead edited" });
    expect(edited.rows.map((r) => r.id)).toEqual([ids.crm]);
    const status = await listRules(prisma(), acme.org.id, { q: "Status Changed" });
    expect(status.rows.map((r) => r.id)).toEqual([ids.xss]);
    expect((await listRules(prisma(), acme.org.id, { q: "note added" })).total).toBe(30);
  });

  it("returns labels and the creation-rules summary", async () => {
    const { rows } = await listRules(prisma(), acme.org.id, { q: "zapier" });
    expect(rows[0]?.events).toEqual([{ name: "lead.created", label: "Lead Created" }]);
    expect(rows[0]?.creationRules).toBe("Status: Signed Up · Case type: Auto Accident · Office: Downtown");
    const { rows: converted } = await listRules(prisma(), acme.org.id, { q: "billing" });
    expect(converted[0]?.creationRules).toBe("—");
    const { rows: crm } = await listRules(prisma(), acme.org.id, { q: "crm" });
    expect(crm[0]?.creationRules).toBe("Any lead");
  });
});

describe("toggleRuleAction and deleteRuleAction", () => {
  it("disables and re-enables a rule, clearing the disabled reason", async () => {
    await signInAs(prisma(), acme.admin.id);
    const off = await toggleRuleAction({ ruleId: ids.crm });
    expect(off).toMatchObject({ ok: true, data: { enabled: false, title: "CRM sync" } });
    let row = await prisma().webhookRule.findUniqueOrThrow({ where: { id: ids.crm } });
    expect(row.enabled).toBe(false);
    expect(row.disabledAt).toBeInstanceOf(Date);
    await prisma().webhookRule.update({ where: { id: ids.crm }, data: { disabledReason: "Failed 20 times in a row" } });
    const on = await toggleRuleAction({ ruleId: ids.crm });
    expect(on).toMatchObject({ ok: true, data: { enabled: true } });
    row = await prisma().webhookRule.findUniqueOrThrow({ where: { id: ids.crm } });
    expect(row).toMatchObject({ enabled: true, disabledReason: null, disabledAt: null });
  });

  it("refuses to delete an enabled rule and deletes a disabled one", async () => {
    await signInAs(prisma(), acme.admin.id);
    const refused = await deleteRuleAction({ ruleId: ids.zapier });
    expect(refused).toEqual({ ok: false, code: "conflict", error: "Disable the rule before deleting it.", fieldErrors: undefined });
    expect(await prisma().webhookRule.count({ where: { id: ids.zapier } })).toBe(1);

    const created = await insertRule(acme.org.id, { title: "Temporary", enabled: false });
    const deleted = await deleteRuleAction({ ruleId: created });
    expect(deleted).toMatchObject({ ok: true, data: { id: created } });
    expect(await prisma().webhookRule.count({ where: { id: created } })).toBe(0);
  });

  it("refuses viewers and signed-out users and changes nothing", async () => {
    await signInAs(prisma(), acme.viewer.id);
    expect(await toggleRuleAction({ ruleId: ids.zapier })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await deleteRuleAction({ ruleId: ids.billing })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), null);
    expect(await toggleRuleAction({ ruleId: ids.zapier })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await deleteRuleAction({ ruleId: ids.billing })).toMatchObject({ ok: false, code: "unauthenticated" });
    const rows = await prisma().webhookRule.findMany({ where: { id: { in: [ids.zapier, ids.billing] } }, orderBy: { title: "asc" } });
    expect(rows.map((r) => [r.title, r.enabled])).toEqual([["Billing export", false], ["Zapier intake", true]]);
  });

  it("treats another organization's rule as not found and leaves it alone", async () => {
    await signInAs(prisma(), acme.admin.id);
    expect(await toggleRuleAction({ ruleId: ids.foreign })).toMatchObject({ ok: false, code: "not_found" });
    await prisma().webhookRule.update({ where: { id: ids.foreign }, data: { enabled: false } });
    expect(await deleteRuleAction({ ruleId: ids.foreign })).toMatchObject({ ok: false, code: "not_found" });
    const foreign = await prisma().webhookRule.findUniqueOrThrow({ where: { id: ids.foreign } });
    expect(foreign.enabled).toBe(false);
    await prisma().webhookRule.update({ where: { id: ids.foreign }, data: { enabled: true } });
  });

  it("rejects a malformed id", async () => {
    await signInAs(prisma(), acme.admin.id);
    expect(await toggleRuleAction({ ruleId: "" })).toMatchObject({ ok: false, code: "invalid" });
  });
});

async function readWorkbook(res: Response) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await res.arrayBuffer());
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error("the workbook has no sheet");
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return { sheet, rows };
}

describe("GET /api/rules/export", () => {
  it("returns 401 JSON when signed out", async () => {
    await signInAs(prisma(), null);
    const res = await exportRules(new Request("http://localhost/api/rules/export"));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: expect.any(String) });
  });

  it("exports every matching rule of the organization in the requested order, as a viewer", async () => {
    await signInAs(prisma(), acme.viewer.id);
    const res = await exportRules(new Request("http://localhost/api/rules/export?sort=created&dir=desc&page=2&size=10"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="webhook-rules-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    const { sheet, rows } = await readWorkbook(res);

    expect(rows[0]).toEqual(["Status", "Title", "Trigger", "URL", "Creation Rules", "Enabled", "Created", "Updated"]);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getColumn(2).width).toBe(40);

    // All 35 rules (page/size ignored), newest first, none from the other organization.
    const data = rows.slice(1);
    expect(data).toHaveLength(35);
    expect(data[0]?.[1]).toBe("Bulk rule 29");
    expect(data.map((r) => r[1])).not.toContain("Other org's Zapier rule");
    const created = data.map((r) => (r[6] as Date).getTime());
    expect(created).toEqual([...created].sort((a, b) => b - a));
  });

  it("applies the filter and writes text literally, neutralising formulas", async () => {
    await signInAs(prisma(), acme.admin.id);
    const res = await exportRules(new Request("http://localhost/api/rules/export?q=lead%20deleted"));
    const { rows } = await readWorkbook(res);
    expect(rows.slice(1).map((r) => r[1])).toEqual(["'=HYPERLINK(\"http://evil\")"]);

    const all = await readWorkbook(await exportRules(new Request("http://localhost/api/rules/export?q=zapier")));
    expect(all.rows).toHaveLength(2);
    const [status, title, trigger, url, creationRules, enabled, createdAt, updatedAt] = all.rows[1] ?? [];
    expect({ status, title, trigger, url, creationRules, enabled }).toEqual({
      status: "Enabled",
      title: "Zapier intake",
      trigger: "Lead Created",
      url: "https://hooks.zapier.com/hooks/catch/1/abc",
      creationRules: "Status: Signed Up · Case type: Auto Accident · Office: Downtown",
      enabled: "Yes",
    });
    expect(createdAt).toEqual(day(3));
    expect(updatedAt).toBeInstanceOf(Date);

    const xss = await readWorkbook(await exportRules(new Request("http://localhost/api/rules/export?q=script")));
    expect(xss.rows[1]?.[1]).toBe("<script>alert(1)</script>");
    expect(xss.rows[1]?.[0]).toBe("Enabled");
  });
});
