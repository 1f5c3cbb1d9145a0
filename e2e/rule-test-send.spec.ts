import { expect, test } from "./fixtures";
import { useReceiver } from "./receiver";
import { newRuleForm, open, ruleIdOf, ruleTab as tab, saveRuleForm, uniqueTag } from "./rule-helpers";

// Duplicate suppression and "Send a test lead" on the rule form, as an admin of Acme: the
// duplicate setting is kept, and a test lead sent from the saved rule to a test URL shows the
// request sent, the response and the verdict, and links its test delivery.

test.use({ account: "acmeAdmin" });
test.describe.configure({ timeout: 120_000 });

const receiver = useReceiver((hit) => (hit.path === "/test" ? { status: 201, headers: { "content-type": "application/json" }, body: '{"accepted":true}' } : { status: 404 }));

test("duplicates by email are kept; a test lead to a test URL shows the request, the response and the verdict", async ({ page }) => {
  const title = `Test lead ${uniqueTag()}`;
  const form = await newRuleForm(page, title, `${receiver.url}/real`);
  await form.getByLabel("Skip a new lead when this rule already sent").selectOption({ label: "A lead with the same email" });
  await form.getByLabel("Within (days)").fill("7");
  await saveRuleForm(page, form);
  await expect(page.getByText("Webhook rule created")).toBeVisible();

  await open(page, `/rules/${await ruleIdOf(page, title)}`);
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  await expect(edit.getByLabel("Skip a new lead when this rule already sent")).toHaveValue("email");
  await expect(edit.getByLabel("Within (days)")).toHaveValue("7");

  await tab(edit, "Authentication").click();
  await edit.getByLabel("Test URL (optional)").fill(`${receiver.url}/test`);
  await edit.getByRole("button", { name: "Send test lead" }).click();
  const result = edit.getByRole("status", { name: "Test lead result" });
  await expect(result).toContainText("Succeeded");
  await expect(result).toContainText("Status 201");
  await expect(result).toContainText(`POST ${receiver.url}/test`);
  await expect(result.getByLabel("Test request headers")).toContainText("leadhooks-test: true");
  await expect(result.getByLabel("Test request body")).toContainText("jane.oneil@example.com");
  await expect(result.getByLabel("Test response body")).toContainText('"accepted": true');
  expect(receiver.hits.map((h) => h.path)).toEqual(["/test"]);

  await result.getByRole("link", { name: "View the test delivery" }).click();
  await expect(page.getByRole("heading", { name: "Test delivery" })).toBeVisible();
});
