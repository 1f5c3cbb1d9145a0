import { expect, test } from "./fixtures";
import { createRuleViaApi, listedTitles, open, openRules, ruleRow, rulesTable, uniqueTag } from "./rule-helpers";

// A viewer of Acme reads everything and changes nothing: no buttons that mutate, read-only forms.
// (That the server actions refuse viewers is covered by the integration tests; this is the UI.)

test.use({ account: "acmeViewer" });

const tag = uniqueTag();
const enabledTitle = `Viewer sees enabled ${tag}`;
const disabledTitle = `Viewer sees disabled ${tag}`;
let enabledId = "";

test.beforeAll(async ({ playwright }) => {
  // The limit dates from when the rules went through the form; kept for a busy machine.
  test.setTimeout(180_000);
  // The rules are Acme's, made through the Webhooks API with Acme's key: the subject here is what a
  // viewer sees, not the rule form (rules.spec.ts fills in the same creation rules through it).
  const request = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
  try {
    enabledId = await createRuleViaApi(request, "acme", {
      title: enabledTitle,
      events: ["lead.created"],
      // Narrow enough that no lead another spec creates in Acme matches it.
      creationRules: { status: "Lost", substatus: "Changed Mind", caseTypes: ["Estate Planning"], requiresCaseTrackerCode: true },
    });
    await createRuleViaApi(request, "acme", { title: disabledTitle, enabled: false });
  } finally {
    await request.dispose();
  }
});

test("the rules list has no Create New, no Delete, and Status is not a button", async ({ page }) => {
  await openRules(page, tag);
  await expect.poll(() => listedTitles(page)).toEqual([disabledTitle, enabledTitle]);
  await expect(page.getByRole("link", { name: "Create New" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Excel" })).toBeVisible();
  await expect(rulesTable(page).getByRole("button", { name: /delete/i })).toHaveCount(0);
  await expect(rulesTable(page).getByRole("button", { name: /^(enable|disable) rule/i })).toHaveCount(0);
  // The Status cell is a labelled icon instead.
  await expect(ruleRow(page, enabledTitle).getByRole("cell").first().getByRole("img", { name: "Enabled" })).toBeVisible();
  await expect(ruleRow(page, disabledTitle).getByRole("cell").first().getByRole("img", { name: "Disabled" })).toBeVisible();
  await expect(ruleRow(page, enabledTitle).getByRole("cell").first().getByRole("button")).toHaveCount(0);
  // Rows open with View, not Edit.
  await expect(ruleRow(page, enabledTitle).getByRole("link", { name: `View ${enabledTitle}`, exact: true })).toBeVisible();
  await expect(rulesTable(page).getByRole("link", { name: /^Edit / })).toHaveCount(0);
  // The signing key shows masked, without Reveal or Copy.
  await expect(page.getByLabel("Webhook authentication key")).toHaveText(/^whsec_•+.{4}$/);
  await expect(page.getByRole("button", { name: /^(Reveal|Copy)$/ })).toHaveCount(0);
});

test("a rule opens read-only: its values, every field disabled, no Save", async ({ page }) => {
  await open(page, `/rules/${enabledId}`);
  const form = page.getByRole("form", { name: "Edit Webhook Rule" });
  await expect(form.getByRole("note")).toHaveText("You have read-only access. Ask an admin to change this rule.");
  const title = form.getByLabel("Title", { exact: true });
  await expect(title).toHaveValue(enabledTitle);
  for (const field of [title, form.getByLabel("Enabled", { exact: true }), form.getByLabel("URL", { exact: true }), form.getByLabel("Trigger", { exact: true })]) {
    await expect(field).toBeDisabled();
  }
  for (const label of ["Associated lead status", "Substatus", "Case type", "Office", "Opportunity Source", "Marketing Source", "Requires Case Tracker Code"]) {
    await expect(form.getByLabel(label, { exact: true })).toBeDisabled();
  }
  await expect(form.getByLabel("Substatus", { exact: true }).locator("option:checked")).toHaveText("Changed Mind");
  await expect(form.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(form.getByRole("link", { name: "Back to rules" })).toBeVisible();

  // The Request tab (timeout, signature) is read-only too.
  await form.getByRole("tab", { name: "Request" }).click();
  await expect(form.getByLabel("Timeout (milliseconds)")).toBeDisabled();
  await expect(form.getByLabel("Signature scheme")).toBeDisabled();
});

test("the new-rule page says the viewer may not add rules", async ({ page }) => {
  await open(page, "/rules/new");
  await expect(page.getByText("You don't have permission to add webhook rules")).toBeVisible();
  await expect(page.getByLabel("Title", { exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to rules" }).click();
  await expect(page).toHaveURL(/\/rules$/);
});

test("settings are read-only: no Save, Rotate, Reveal or add forms", async ({ page }) => {
  await open(page, "/settings");
  await expect(page.getByText("You have read-only access. Only admins can change settings.")).toBeVisible();
  await expect(page.getByLabel("Organization name")).toBeDisabled();
  await expect(page.getByLabel("Enable Webhooks")).toBeDisabled();
  await expect(page.getByLabel("Webhook authentication key")).toHaveText(/^whsec_•+.{4}$/);
  // The reference lists are shown...
  await expect(page.getByText("Personal Injury", { exact: true })).toBeVisible();
  // ...but nothing on the page changes anything.
  for (const name of [/^Save$/, /^Rotate$/, /^Reveal$/, /^Copy$/, /^Add$/, /^Rename /, /^Move (up|down)/, /^Delete /, /^Revoke /, /^Make (admin|viewer) /, /^Remove /, /^Create/]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(page.getByLabel("New case type")).toHaveCount(0);
  await expect(page.getByLabel("Key name")).toHaveCount(0);
  await expect(page.getByLabel("Temporary password")).toHaveCount(0);
});
