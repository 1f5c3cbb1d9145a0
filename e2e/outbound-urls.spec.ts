import { expect, test } from "./fixtures";
import { newRuleForm, openRules, ruleTab as tab, rulesTable, saveRuleForm, uniqueTag } from "./rule-helpers";

// The rule form runs the destination check the API does, on every URL field: a private, loopback
// or metadata address (in any spelling) is refused under its own field when saving and when
// testing, and nothing is saved or sent. The e2e server allows 127.0.0.0/8 only.

test.use({ account: "acmeAdmin" });
test.describe.configure({ timeout: 90_000 });

test("a metadata address written as IPv6 is refused under the URL field, and nothing is saved", async ({ page }) => {
  const tag = uniqueTag();
  const form = await newRuleForm(page, `Metadata ${tag}`, "https://[::169.254.169.254]/latest/meta-data/");
  await saveRuleForm(page, form);
  await expect(form.getByLabel("URL", { exact: true })).toHaveAccessibleDescription(/carries 169\.254\.169\.254 \(IPv4-compatible\), a link-local \(cloud metadata\) address/);
  await openRules(page, tag);
  await expect(rulesTable(page).getByText(`Metadata ${tag}`, { exact: true })).toHaveCount(0);
});

test("Test Connection and Save refuse a private token URL under the Token URL field", async ({ page }) => {
  const tag = uniqueTag();
  const form = await newRuleForm(page, `Token ${tag}`, "https://hooks.example.com/e2e/token");
  await tab(form, "Authentication").click();
  await form.getByLabel("Authentication Type").selectOption({ label: "OAuth 2.0" });
  await form.getByLabel("Token URL", { exact: true }).fill("https://[::ffff:10.0.0.1]/oauth/token");
  await form.getByLabel("Client ID", { exact: true }).fill("leadhooks");
  await form.getByLabel("Client Secret", { exact: true }).fill("client-secret");
  const tokenUrl = form.getByLabel("Token URL", { exact: true });

  await form.getByRole("button", { name: "Test Connection" }).click();
  await expect(tokenUrl).toHaveAccessibleDescription(/carries 10\.0\.0\.1 \(IPv4-mapped\), a private-network address/);

  await tokenUrl.fill("https://[::1]/oauth/token");
  await saveRuleForm(page, form);
  await expect(tokenUrl).toHaveAccessibleDescription(/::1 is a loopback address/);
  await openRules(page, tag);
  await expect(rulesTable(page).getByText(`Token ${tag}`, { exact: true })).toHaveCount(0);
});
