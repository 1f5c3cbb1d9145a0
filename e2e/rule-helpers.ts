import { randomBytes } from "node:crypto";
import type { APIRequestContext, Locator, Page, TestInfo } from "@playwright/test";
import ExcelJS from "exceljs";
import type { z } from "zod";
import type { webhookCreateSchema } from "@/lib/api/webhooks/schema";
import { API_KEYS, type OrgKey } from "./accounts";
import { expect } from "./fixtures";

// Shared steps of the rules, tenancy, viewer, settings and delivery specs. Everything goes through the UI as
// a person would (by role and label); only the export is read back with exceljs. The one exception is
// createRuleViaApi, for specs whose subject is not the rule form (see there).

/** A short random suffix: specs share one database, so every record a test makes is its own. */
export function uniqueTag(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Opens a page and waits until the network is quiet, by when React has hydrated: a click on a
 * form button before that submits the form natively (a GET to the same page) and does nothing.
 */
export async function open(page: Page, path: string) {
  return page.goto(path, { waitUntil: "networkidle" });
}

/**
 * Turns the organization's Enable Webhooks setting on (rules only send while it is on), through
 * the REST API with its seeded key: the delivery specs need it on, and settings.spec.ts saves the
 * switch through the Settings form.
 */
export async function enableWebhooks(page: Page, org: OrgKey = "acme") {
  const res = await page.request.patch("/api/v1/organization", { headers: { Authorization: `Bearer ${API_KEYS[org]}` }, data: { webhooksEnabled: true } });
  expect(res.status(), await res.text()).toBe(200);
  expect(((await res.json()) as { webhooksEnabled: boolean }).webhooksEnabled).toBe(true);
}

/** The list filtered to `q` (specs filter by their own tag: other specs add rules to the same org). */
export async function openRules(page: Page, q: string) {
  return open(page, `/rules?q=${encodeURIComponent(q)}`);
}

export const rulesTable = (page: Page) => page.getByRole("table", { name: "Webhook rules" });
export const ruleRow = (page: Page, title: string) => rulesTable(page).getByRole("row").filter({ has: page.getByText(title, { exact: true }) });

/** Titles of the table's rows, top to bottom. */
export async function listedTitles(page: Page): Promise<string[]> {
  const rows = rulesTable(page).locator("tbody").getByRole("row");
  // The Title cell is the row's second cell; its first line is the title (a reason may follow).
  return rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll("td")[1]?.querySelector("span")?.textContent ?? ""));
}

export interface CreationRulesChoice {
  status?: string;
  substatus?: string;
  caseTypes?: string[];
  office?: string;
  requiresCaseTrackerCode?: boolean;
}

export interface NewRule {
  title: string;
  url?: string;
  /**
   * The trigger's label. Defaults to "Lead Converted": nothing in the e2e suite emits it, so an
   * enabled test rule never adds deliveries to the leads other specs create in the same org.
   */
  trigger?: string;
  enabled?: boolean;
  creationRules?: CreationRulesChoice;
}

/** A tab of the rule form, by its exact name ("Authentication", "Request"…). */
export const ruleTab = (form: Locator, name: string) => form.getByRole("tab", { name, exact: true });

/**
 * Opens the Add Webhook Rule form with its title, URL and trigger filled in; returns the form.
 * The trigger defaults to "Lead Converted" (see NewRule.trigger).
 */
export async function newRuleForm(page: Page, title: string, url = `https://hooks.example.com/e2e/${uniqueTag()}`, trigger = "Lead Converted"): Promise<Locator> {
  await open(page, "/rules/new");
  const form = page.getByRole("form", { name: "Add Webhook Rule" });
  await form.getByLabel("Title", { exact: true }).fill(title);
  await form.getByLabel("URL", { exact: true }).fill(url);
  await form.getByLabel("Trigger", { exact: true }).selectOption({ label: trigger });
  return form;
}

/** Fills and saves the Add Webhook Rule form; returns the new rule's id (from its Edit link). */
export async function createRule(page: Page, rule: NewRule): Promise<string> {
  const form = await newRuleForm(page, rule.title, rule.url, rule.trigger);
  if (rule.enabled === false) await form.getByLabel("Enabled", { exact: true }).selectOption({ label: "No" });
  const c = rule.creationRules;
  if (c?.status) await form.getByLabel("Associated lead status").selectOption({ label: c.status });
  if (c?.substatus) await form.getByLabel("Substatus", { exact: true }).selectOption({ label: c.substatus });
  if (c?.caseTypes) await form.getByLabel("Case type", { exact: true }).selectOption(c.caseTypes.map((label) => ({ label })));
  if (c?.office) await form.getByLabel("Office", { exact: true }).selectOption({ label: c.office });
  if (c?.requiresCaseTrackerCode !== undefined) await form.getByLabel("Requires Case Tracker Code").selectOption({ label: c.requiresCaseTrackerCode ? "Yes" : "No" });
  await saveRuleForm(page, form);
  await expect(page.getByText("Webhook rule created")).toBeVisible();
  await expect(page).toHaveURL(/\/rules$/);
  return ruleIdOf(page, rule.title);
}

/** A POST /api/v1/webhooks body; title, url and events default as in NewRule (events: Lead Converted). */
export type ApiRule = Partial<z.input<typeof webhookCreateSchema>> & { title: string };

/**
 * Creates a rule through the REST Webhooks API with the organization's seeded key; returns its id.
 * For specs whose subject is something else (deliveries, lists, roles, tenancy): the form takes
 * dozens of round trips per rule, and each of its fields is exercised through the browser by the
 * form's own specs (rules, rule-endpoint, delivery-limits, rule-chains, delivery-results…).
 */
export async function createRuleViaApi(request: APIRequestContext, org: OrgKey, rule: ApiRule): Promise<string> {
  const res = await request.post("/api/v1/webhooks", {
    headers: { Authorization: `Bearer ${API_KEYS[org]}` },
    data: { url: `https://hooks.example.com/e2e/${uniqueTag()}`, events: ["lead.converted"], ...rule },
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

export const UNTESTED_DIALOG = "This rule has not passed Test Connection. Save anyway?";

/**
 * Clicks the rule form's Save. A rule that has not passed Test Connection asks for confirmation
 * first: this confirms with "Save anyway" when the dialog appears (it does not for a rule whose
 * last test passed). Returns whether it was asked.
 */
export async function saveRuleForm(page: Page, form: Locator): Promise<boolean> {
  await form.getByRole("button", { name: "Save", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: UNTESTED_DIALOG });
  const saved = page.getByText(/^Webhook rule (created|saved)$/);
  await expect(dialog.or(saved).or(form.getByRole("alert")).first()).toBeVisible();
  if (!(await dialog.isVisible())) return false;
  await dialog.getByRole("button", { name: "Save anyway" }).click();
  return true;
}

/** Saves a new rule's form, then opens the saved rule's edit form afresh (reloaded) on the tab `tabName`. */
export async function saveAndReopen(page: Page, form: Locator, title: string, tabName: string): Promise<Locator> {
  expect(await saveRuleForm(page, form)).toBe(true);
  await expect(page.getByText("Webhook rule created")).toBeVisible();
  await open(page, `/rules/${await ruleIdOf(page, title)}`);
  await page.reload();
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  await ruleTab(edit, tabName).click();
  return edit;
}

/** The id of a listed rule, read from its Edit/View link (opens the list filtered to its title). */
export async function ruleIdOf(page: Page, title: string): Promise<string> {
  await openRules(page, title);
  return listedRuleId(page, title);
}

/** The id of a rule in the list already on the page, read from its Edit/View link. */
export async function listedRuleId(page: Page, title: string): Promise<string> {
  const link = ruleRow(page, title).getByRole("link", { name: new RegExp(`^(Edit|View) `) });
  const href = await link.getAttribute("href");
  const id = href?.match(/^\/rules\/([^/?#]+)$/)?.[1];
  if (!id) throw new Error(`no rule link for "${title}" (href ${href})`);
  return decodeURIComponent(id);
}

/** Clicks the page's "Excel" link and returns the downloaded workbook's first sheet as text rows. */
export async function downloadRulesExport(page: Page, testInfo: TestInfo): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Excel" }).click()]);
  expect(download.suggestedFilename()).toMatch(/^webhook-rules-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const file = testInfo.outputPath(`export-${uniqueTag()}.xlsx`);
  await download.saveAs(file);
  return readSheet(file);
}

export async function readSheet(file: string): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error("the workbook has no sheet");
  const rows: string[][] = [];
  sheet.eachRow((row) => {
    const cells: string[] = [];
    for (let i = 1; i <= sheet.columnCount; i++) cells.push(row.getCell(i).text);
    rows.push(cells);
  });
  return rows;
}

export const EXPORT_HEADER = ["Status", "Title", "Trigger", "URL", "Creation Rules", "Enabled", "Created", "Updated"];
