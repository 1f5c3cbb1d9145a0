import { expect, test } from "./fixtures";
import { createRule, createRuleViaApi, downloadRulesExport, EXPORT_HEADER, listedTitles, open, openRules, ruleRow, rulesTable, saveRuleForm, uniqueTag } from "./rule-helpers";

// The Webhook Rules admin as an admin of Acme: create with creation rules, edit, enable/disable
// from the list, sort, filter, export, delete, and user text rendered as text.
//
// The first test creates and edits a rule through the form, and the sorting test adds a disabled
// rule through it (its Enabled field); the other rules the list tests need come from the Webhooks
// API, since those tests are about the list, not the form.

test.use({ account: "acmeAdmin" });

test("an admin creates a rule with creation rules, sees its summary, then edits it", async ({ page }) => {
  const tag = uniqueTag();
  const title = `Intake to CRM ${tag}`;
  await createRule(page, {
    title,
    url: `https://hooks.example.com/crm/${tag}`,
    trigger: "Lead Created",
    creationRules: { status: "Signed Up", substatus: "Retainer Signed", caseTypes: ["Auto Accident", "Personal Injury"], office: "Downtown", requiresCaseTrackerCode: true },
  });

  await openRules(page, tag);
  const row = ruleRow(page, title);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").nth(2)).toHaveText("Lead Created");
  // Case types follow the reference list's order, whatever order they were picked in.
  await expect(row.getByRole("cell").nth(4)).toHaveText(
    "Status: Signed Up › Retainer Signed · Case types: Personal Injury, Auto Accident · Office: Downtown · Requires case tracker code",
  );

  // Edit: the form comes back with what was saved; change the title and the trigger.
  await row.getByRole("link", { name: `Edit ${title}`, exact: true }).click();
  const form = page.getByRole("form", { name: "Edit Webhook Rule" });
  await expect(form.getByLabel("Title", { exact: true })).toHaveValue(title);
  await expect(form.getByLabel("Associated lead status").locator("option:checked")).toHaveText("Signed Up");
  await expect(form.getByLabel("Substatus", { exact: true }).locator("option:checked")).toHaveText("Retainer Signed");
  await expect(form.getByLabel("Requires Case Tracker Code").locator("option:checked")).toHaveText("Yes");
  await expect(form.getByLabel("Case type", { exact: true }).locator("option:checked")).toHaveText(["Personal Injury", "Auto Accident"]);
  const renamed = `Intake to CRM (status changes) ${tag}`;
  await form.getByLabel("Title", { exact: true }).fill(renamed);
  await form.getByLabel("Trigger", { exact: true }).selectOption({ label: "Lead Status Changed" });
  // Never tested: Save asks for confirmation first.
  await saveRuleForm(page, form);
  await expect(page.getByText("Webhook rule saved")).toBeVisible();
  await expect(page).toHaveURL(/\/rules$/);

  await openRules(page, tag);
  await expect(rulesTable(page).locator("tbody").getByRole("row")).toHaveCount(1);
  const edited = ruleRow(page, renamed);
  await expect(edited.getByRole("cell").nth(2)).toHaveText("Lead Status Changed");
  await expect(edited.getByRole("cell").nth(4)).toContainText("Status: Signed Up › Retainer Signed");
  await expect(rulesTable(page).getByText(title, { exact: true })).toHaveCount(0);
});

test("the Status column disables and enables a rule, and the change persists", async ({ page }) => {
  const tag = uniqueTag();
  const title = `Toggle me ${tag}`;
  await createRuleViaApi(page.request, "acme", { title });
  await openRules(page, tag);

  const disable = page.getByRole("button", { name: `Disable rule ${title}`, exact: true });
  const enable = page.getByRole("button", { name: `Enable rule ${title}`, exact: true });
  await expect(disable).toBeVisible();
  await disable.click();
  await expect(page.getByText(`Disabled “${title}”`)).toBeVisible();
  await expect(enable).toBeVisible();
  await expect(disable).toHaveCount(0);

  await page.reload({ waitUntil: "networkidle" });
  await expect(enable).toBeVisible();
  await expect(ruleRow(page, title).getByRole("button", { name: `Delete rule ${title}`, exact: true })).toBeVisible();

  await enable.click();
  await expect(page.getByText(`Enabled “${title}”`)).toBeVisible();
  await expect(disable).toBeVisible();
  await page.reload({ waitUntil: "networkidle" });
  await expect(disable).toBeVisible();
  await expect(enable).toHaveCount(0);
});

test("sorting by Title, filtering, and the Excel export of what the list shows", async ({ page }, testInfo) => {
  const tag = uniqueTag();
  const alpha = `Alpha ${tag}`;
  const bravo = `Bravo ${tag}`;
  const charlie = `Charlie ${tag}`;
  await createRuleViaApi(page.request, "acme", { title: bravo, url: `https://bravo.example.com/${tag}`, events: ["lead.deleted"] });
  // Through the form: its Enabled field set to No, read back by the list and the export below.
  await createRule(page, { title: alpha, url: `https://alpha.example.com/${tag}`, trigger: "Lead Created", enabled: false });
  await createRuleViaApi(page.request, "acme", { title: charlie, url: `https://charlie.example.com/${tag}` });

  // Default order: Title ascending.
  await openRules(page, tag);
  await expect.poll(() => listedTitles(page)).toEqual([alpha, bravo, charlie]);
  const titleHeader = page.getByRole("columnheader", { name: "Title" });
  await expect(titleHeader).toHaveAttribute("aria-sort", "ascending");

  await titleHeader.getByRole("button").click();
  await expect(page).toHaveURL(/[?&]sort=title&dir=desc|[?&]dir=desc.*[?&]sort=title/);
  await expect(titleHeader).toHaveAttribute("aria-sort", "descending");
  await expect.poll(() => listedTitles(page)).toEqual([charlie, bravo, alpha]);

  // The export follows the list: same filter, same order.
  const sorted = await downloadRulesExport(page, testInfo);
  expect(sorted[0]).toEqual(EXPORT_HEADER);
  expect(sorted.slice(1).map((r) => r.slice(0, 4))).toEqual([
    ["Enabled", charlie, "Lead Converted", `https://charlie.example.com/${tag}`],
    ["Enabled", bravo, "Lead Deleted", `https://bravo.example.com/${tag}`],
    ["Disabled", alpha, "Lead Created", `https://alpha.example.com/${tag}`],
  ]);
  expect(sorted.slice(1).map((r) => r[4])).toEqual(["—", "—", "Any lead"]);
  expect(sorted.slice(1).map((r) => r[5])).toEqual(["Yes", "Yes", "No"]);

  // Filter box: typing narrows the list (and the URL) to the matching rows.
  const filter = page.getByLabel("Filter");
  await expect(filter).toHaveValue(tag);
  await filter.fill(`bravo.example.com/${tag}`);
  await expect(page).toHaveURL(new RegExp(`[?&]q=bravo\\.example\\.com%2F${tag}`));
  await expect.poll(() => listedTitles(page)).toEqual([bravo]);

  const filtered = await downloadRulesExport(page, testInfo);
  expect(filtered[0]).toEqual(EXPORT_HEADER);
  expect(filtered.slice(1).map((r) => r[1])).toEqual([bravo]);

  // A filter that matches nothing says so.
  await filter.fill(`no such rule ${tag}`);
  await expect(page.getByText("No rules match your filter")).toBeVisible();
  await expect(rulesTable(page)).toHaveCount(0);
});

test("only a disabled rule can be deleted, after confirming", async ({ page }) => {
  const tag = uniqueTag();
  const enabled = `Keep me ${tag}`;
  const disabled = `Delete me ${tag}`;
  await createRuleViaApi(page.request, "acme", { title: enabled });
  await createRuleViaApi(page.request, "acme", { title: disabled, enabled: false });
  await openRules(page, tag);

  await expect(ruleRow(page, enabled)).toHaveCount(1);
  await expect(ruleRow(page, enabled).getByRole("button", { name: /delete/i })).toHaveCount(0);

  const deleteButton = ruleRow(page, disabled).getByRole("button", { name: `Delete rule ${disabled}`, exact: true });
  // Cancel first: nothing happens.
  await deleteButton.click();
  const dialog = page.getByRole("dialog", { name: "Delete webhook rule?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(disabled);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(ruleRow(page, disabled)).toHaveCount(1);

  await deleteButton.click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByText("Webhook rule deleted")).toBeVisible();
  await expect(ruleRow(page, disabled)).toHaveCount(0);
  await expect(ruleRow(page, enabled)).toHaveCount(1);

  await page.reload({ waitUntil: "networkidle" });
  await expect(ruleRow(page, enabled)).toHaveCount(1);
  await expect(rulesTable(page).getByText(disabled, { exact: true })).toHaveCount(0);
});

test("a title that looks like HTML is shown as text, in the list and in the export", async ({ page }, testInfo) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  const tag = uniqueTag();
  const title = `<script>alert(1)</script><img src=x onerror="alert(2)"> ${tag}`;
  await createRuleViaApi(page.request, "acme", { title });

  await openRules(page, tag);
  const row = ruleRow(page, title);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").nth(1)).toHaveText(title);
  // No element was made from the text.
  await expect(rulesTable(page).locator("script, img")).toHaveCount(0);

  await row.getByRole("link", { name: `Edit ${title}`, exact: true }).click();
  await expect(page.getByRole("form", { name: "Edit Webhook Rule" }).getByLabel("Title", { exact: true })).toHaveValue(title);
  await open(page, `/rules?q=${encodeURIComponent(tag)}`);

  const rows = await downloadRulesExport(page, testInfo);
  expect(rows.slice(1).map((r) => r[1])).toEqual([title]);
  expect(dialogs).toEqual([]);
});
