import { expect, test } from "./fixtures";
import { createRuleViaApi, newRuleForm, open, ruleIdOf, ruleTab as tab, saveRuleForm, uniqueTag } from "./rule-helpers";

// The rule form's Fallback and linked rules (Response tab): a fallback is chosen, with when it
// takes the lead, saved and still chosen after a reload; a choice that would make a loop is
// refused on its field, naming the loop.

test.use({ account: "acmeAdmin" });
test.describe.configure({ timeout: 120_000 });

test("a fallback rule is saved and shown again; a loop is refused with the rules along it", async ({ page }) => {
  const tag = uniqueTag();
  const backup = `Backup ${tag}`;
  const main = `Main ${tag}`;
  // The backup through the Webhooks API: the form under test here is the main rule's.
  const backupId = await createRuleViaApi(page.request, "acme", { title: backup });

  const form = await newRuleForm(page, main);
  await tab(form, "Response").click();
  await form.getByLabel("Fallback rule", { exact: true }).selectOption({ label: backup });
  await form.getByLabel("A cap skips it").check();
  expect(await saveRuleForm(page, form)).toBe(true);
  await expect(page.getByText("Webhook rule created")).toBeVisible();

  const mainId = await ruleIdOf(page, main);
  await open(page, `/rules/${mainId}`);
  await page.reload();
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  await tab(edit, "Response").click();
  await expect(edit.getByLabel("Fallback rule", { exact: true })).toHaveValue(backupId);
  await expect(edit.getByLabel("Linked rule", { exact: true })).toHaveValue("");
  await expect(edit.getByLabel("A cap skips it")).toBeChecked();
  await expect(edit.getByLabel("The sending window is closed")).not.toBeChecked();

  // The backup's linked rule back to the main one would make a loop.
  await open(page, `/rules/${backupId}`);
  const backupForm = page.getByRole("form", { name: "Edit Webhook Rule" });
  await tab(backupForm, "Response").click();
  await backupForm.getByLabel("Linked rule", { exact: true }).selectOption({ label: main });
  await saveRuleForm(page, backupForm);
  await expect(backupForm.getByText(`This would make a loop: ${backup} → ${main} → ${backup}.`).first()).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/rules/${backupId}$`));
});
