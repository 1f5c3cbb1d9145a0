import { expect, test } from "./fixtures";
import { listedRuleId, newRuleForm, open, openRules, ruleIdOf, ruleRow, ruleTab as tab, saveAndReopen, saveRuleForm, uniqueTag } from "./rule-helpers";

// The rule form's Delivery controls (Request tab): caps per period, hold or skip, a rate limit;
// an invalid cap is refused on its field; the saved limits come back, and the rules list and the
// rule page show the use against the cap. Ordering per lead is kept once saved, and so is the caps' own
// time zone (an unknown one is refused on its field).

test.use({ account: "acmeAdmin" });
test.describe.configure({ timeout: 120_000 });

test("caps and a rate limit are checked, saved and shown with their use", async ({ page }) => {
  const title = `Capped ${uniqueTag()}`;
  const form = await newRuleForm(page, title);
  await tab(form, "Request").click();
  await expect(form.getByText(/Caps on how many leads this rule sends, counted in UTC/)).toBeVisible();
  await form.getByLabel("Cap per hour", { exact: true }).fill("0");
  await form.getByLabel("Cap per day", { exact: true }).fill("500");
  await form.getByLabel("Skip them, with the cap as the reason").check();
  await form.getByLabel("Rate limit", { exact: true }).fill("10");
  await form.getByLabel("Rate limit period", { exact: true }).selectOption({ label: "per minute" });

  // 0 is no cap at all: refused on its field, and the form is not edit.
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByText("Enter a whole number from 1 to 10,000,000, or leave it empty for no cap.")).toBeVisible();
  await expect(page).toHaveURL(/\/rules\/new$/);
  await form.getByLabel("Cap per hour", { exact: true }).fill("");
  expect(await saveRuleForm(page, form)).toBe(true);
  await expect(page.getByText("Webhook rule created")).toBeVisible();

  await openRules(page, title);
  await expect(ruleRow(page, title)).toContainText("0 / 500 today · 10 requests per minute");

  const id = await listedRuleId(page, title);
  await open(page, `/rules/${id}`);
  await expect(page.getByRole("note").filter({ hasText: "Delivery limits" })).toContainText("0 / 500 today");
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  await tab(edit, "Request").click();
  await expect(edit.getByLabel("Cap per hour", { exact: true })).toHaveValue("");
  await expect(edit.getByLabel("Cap per day", { exact: true })).toHaveValue("500");
  await expect(edit.getByLabel("Skip them, with the cap as the reason")).toBeChecked();
  await expect(edit.getByLabel("Rate limit", { exact: true })).toHaveValue("10");
  await expect(edit.getByLabel("Rate limit period", { exact: true })).toHaveValue("minute");
});

test("ordering per lead is ticked, saved and still ticked after a reload", async ({ page }) => {
  const title = `Ordered ${uniqueTag()}`;
  const form = await newRuleForm(page, title);
  await tab(form, "Request").click();
  const ordered = form.getByLabel("Send each lead's deliveries in order");
  await expect(ordered).not.toBeChecked();
  await ordered.check();
  const edit = await saveAndReopen(page, form, title, "Request");
  await expect(edit.getByLabel("Send each lead's deliveries in order")).toBeChecked();
});

test("the caps' own time zone is checked, saved and read back", async ({ page }) => {
  const title = `Tokyo caps ${uniqueTag()}`;
  const form = await newRuleForm(page, title);
  await tab(form, "Request").click();
  await form.getByLabel("Cap per day", { exact: true }).fill("50");
  const zone = form.getByLabel("Caps' time zone", { exact: true });
  await zone.fill("Mars/Olympus");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  await expect(form.getByText("Choose a time zone, such as America/New_York.")).toBeVisible();
  await expect(page).toHaveURL(/\/rules\/new$/);
  await zone.fill("Asia/Tokyo");
  await expect(form.getByText(/Caps on how many leads this rule sends, counted in Asia\/Tokyo/)).toBeVisible();
  expect(await saveRuleForm(page, form)).toBe(true);
  await expect(page.getByText("Webhook rule created")).toBeVisible();

  await open(page, `/rules/${await ruleIdOf(page, title)}`);
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  await tab(edit, "Request").click();
  await expect(edit.getByLabel("Caps' time zone", { exact: true })).toHaveValue("Asia/Tokyo");
});
