import { expect, test } from "./fixtures";
import { newRuleForm, open, ruleIdOf, ruleTab as tab, saveRuleForm, uniqueTag } from "./rule-helpers";

// Value maps and computed fields in the rule form: a value map with a default, a phone format and
// a join, rendered by the live preview for the sample lead, and kept when the rule is saved.

test.use({ account: "acmeAdmin" });
test.describe.configure({ timeout: 120_000 });

test("a value map, a phone format and a join show in the live preview and are kept", async ({ page }) => {
  const title = `Value map ${uniqueTag()}`;
  const form = await newRuleForm(page, title);
  await tab(form, "Request").click();
  await form.getByLabel("Custom mapping").check();

  // 1: the case type through a value map (the sample lead's "Personal Injury" → PI).
  await form.getByRole("button", { name: "Add mapping" }).click();
  await form.getByLabel("Outbound field 1", { exact: true }).fill("case_type");
  await form.getByLabel("Value 1", { exact: true }).selectOption("lead.caseType");
  await form.getByRole("button", { name: "Transforms 1" }).click();
  await form.getByRole("button", { name: "Add value to map 1" }).click();
  await form.getByLabel("Map 1 value 1", { exact: true }).fill("personal injury");
  await form.getByLabel("Map 1 sends 1", { exact: true }).fill("PI");
  await form.getByLabel("Unmapped values 1", { exact: true }).fill("OTHER");

  const body = form.getByRole("region", { name: "Preview (sample lead)" }).getByLabel("Body");
  // Case counts unless the map ignores it: unmapped, so the default.
  await expect(body).toContainText(/"case_type": ?"OTHER"/);
  await form.getByLabel("Ignore upper and lower case in map 1").check();
  await expect(body).toContainText(/"case_type": ?"PI"/);

  // 2: the phone in E.164; 3: first and last name joined.
  await form.getByRole("button", { name: "Add mapping" }).click();
  await form.getByLabel("Outbound field 2", { exact: true }).fill("phone");
  await form.getByLabel("Value 2", { exact: true }).selectOption("lead.phone");
  await form.getByRole("button", { name: "Transforms 2" }).click();
  await form.getByLabel("Phone format 2", { exact: true }).selectOption({ label: "E.164 (+15551234567)" });
  await form.getByRole("button", { name: "Add mapping" }).click();
  await form.getByLabel("Outbound field 3", { exact: true }).fill("full_name");
  await form.getByLabel("Source 3", { exact: true }).selectOption({ label: "Join fields" });
  await form.getByLabel("Value 3", { exact: true }).fill("lead.firstName, lead.lastName");
  await expect(body).toContainText(/"phone": ?"\+15550104477"/);
  await expect(body).toContainText(/"full_name": ?"Jane O'Neil"/);

  await saveRuleForm(page, form);
  await expect(page.getByText("Webhook rule created")).toBeVisible();
  const id = await ruleIdOf(page, title);
  await open(page, `/rules/${encodeURIComponent(id)}`);
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  await tab(edit, "Request").click();
  await expect(edit.getByLabel("Map 1 sends 1", { exact: true })).toHaveValue("PI");
  await expect(edit.getByRole("region", { name: "Preview (sample lead)" }).getByLabel("Body")).toContainText(/"case_type": ?"PI"/);
});
