import { expect, test } from "./fixtures";
import { newRuleForm, ruleTab as tab, saveAndReopen, uniqueTag } from "./rule-helpers";

// The rule form's Batches section (Request tab): turned on, refused with a payload format that is
// not JSON, saved with its size, wait and format, and still set after a reload.

test.use({ account: "acmeAdmin" });
test.describe.configure({ timeout: 120_000 });

test("batches are turned on, refused for an XML body, saved and shown again", async ({ page }) => {
  const title = `Batched ${uniqueTag()}`;
  const form = await newRuleForm(page, title);
  await tab(form, "Request").click();
  const on = form.getByLabel("Send leads in batches");
  await expect(on).not.toBeChecked();
  await expect(form.getByLabel("Most leads per batch", { exact: true })).toHaveCount(0);
  await on.check();
  await form.getByLabel("Most leads per batch", { exact: true }).fill("25");
  await form.getByLabel("Most seconds to wait", { exact: true }).fill("10");
  await form.getByLabel("Batch format", { exact: true }).selectOption({ label: "CSV with a header row" });

  // An XML body cannot be batched: refused, and the form stays open.
  await form.getByLabel("Payload format", { exact: true }).selectOption("XML");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByText("Batches need the JSON payload format: each lead's body must be a JSON object.")).toBeVisible();
  await expect(page).toHaveURL(/\/rules\/new$/);
  await form.getByLabel("Payload format", { exact: true }).selectOption("JSON");
  const edit = await saveAndReopen(page, form, title, "Request");
  await expect(edit.getByLabel("Send leads in batches")).toBeChecked();
  await expect(edit.getByLabel("Most leads per batch", { exact: true })).toHaveValue("25");
  await expect(edit.getByLabel("Most seconds to wait", { exact: true })).toHaveValue("10");
  await expect(edit.getByLabel("Batch format", { exact: true })).toHaveValue("csv");
});
