import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { open, uniqueTag } from "./rule-helpers";

// Settings as an admin. These run in Globex: the Acme organization's switch and signing key are
// used by the delivery journey running alongside, and turning webhooks off or rotating its key
// under it would break that spec.

test.use({ account: "globexAdmin" });

const organizationForm = (page: Page) => page.locator("form").filter({ has: page.getByLabel("Organization name") });
const signingKey = (page: Page) => page.getByLabel("Webhook authentication key");

async function saveWebhooksSwitch(page: Page, value: "Yes" | "No") {
  const form = organizationForm(page);
  await form.getByLabel("Enable Webhooks").selectOption({ label: value });
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Settings saved").last()).toBeVisible();
}

test("Enable Webhooks is saved and stays after a reload", async ({ page }) => {
  const webhooksOff = page.getByText("Webhooks are disabled for your organization.");

  // Off first, so the switch to Yes is a real change whatever the database held.
  await open(page, "/settings");
  await saveWebhooksSwitch(page, "No");
  await page.reload({ waitUntil: "networkidle" });
  await expect(organizationForm(page).getByLabel("Enable Webhooks")).toHaveValue("no");
  await open(page, "/rules");
  await expect(webhooksOff).toBeVisible();

  await open(page, "/settings");
  await saveWebhooksSwitch(page, "Yes");
  await page.reload({ waitUntil: "networkidle" });
  await expect(organizationForm(page).getByLabel("Enable Webhooks")).toHaveValue("yes");
  await expect(organizationForm(page).getByLabel("Enable Webhooks").locator("option:checked")).toHaveText("Yes");
  // The rules page no longer warns that nothing is sent.
  await open(page, "/rules");
  await expect(page.getByRole("heading", { name: "Webhook Rules", exact: true })).toBeVisible();
  await expect(webhooksOff).toHaveCount(0);
});

test("the signing key is revealed on demand and rotation replaces it with a grace period", async ({ page }) => {
  await open(page, "/settings");
  await expect(signingKey(page)).toHaveText(/^whsec_•{8}.{4}$/);
  const maskedBefore = (await signingKey(page).textContent()) ?? "";

  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(signingKey(page)).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const keyBefore = (await signingKey(page).textContent()) ?? "";
  expect(keyBefore.slice(-4)).toBe(maskedBefore.slice(-4));
  await page.getByRole("button", { name: "Hide" }).click();
  await expect(signingKey(page)).toHaveText(maskedBefore);

  await page.getByRole("button", { name: "Rotate" }).click();
  const dialog = page.getByRole("dialog", { name: "Rotate the signing key?" });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Rotate key" }).click();
  await expect(page.getByText("Signing key rotated")).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(signingKey(page)).not.toHaveText(maskedBefore);
  await expect(signingKey(page)).toHaveText(/^whsec_•{8}.{4}$/);
  await expect(page.getByText("Previous key valid until").first()).toBeVisible();

  // The new key is a different secret; its tail is what the mask shows. Also after a reload.
  await page.reload({ waitUntil: "networkidle" });
  const maskedAfter = (await signingKey(page).textContent()) ?? "";
  expect(maskedAfter).not.toBe(maskedBefore);
  await expect(page.getByText("Previous key valid until").first()).toBeVisible();
  await page.getByRole("button", { name: "Reveal" }).click();
  await expect(signingKey(page)).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
  const keyAfter = (await signingKey(page).textContent()) ?? "";
  expect(keyAfter).not.toBe(keyBefore);
  expect(keyAfter.slice(-4)).toBe(maskedAfter.slice(-4));
});

test("a new case type is offered in the rule form", async ({ page }) => {
  const name = `Maritime Law ${uniqueTag()}`;
  await open(page, "/settings");
  const caseTypes = page.getByRole("region", { name: /^Case types/ });
  const addForm = caseTypes.locator("form").filter({ has: page.getByLabel("New case type") });
  await addForm.getByLabel("New case type").fill(name);
  await addForm.getByRole("button", { name: "Add" }).click();
  await expect(page.getByText(`“${name}” added`)).toBeVisible();
  await expect(caseTypes.getByRole("listitem").filter({ hasText: name })).toHaveCount(1);
  await expect(addForm.getByLabel("New case type")).toHaveValue("");

  await open(page, "/rules/new");
  const caseType = page.getByRole("form", { name: "Add Webhook Rule" }).getByLabel("Case type", { exact: true });
  await expect(caseType.getByRole("option", { name, exact: true })).toHaveCount(1);
  // Offered after the defaults, and selectable.
  await expect(caseType.getByRole("option").last()).toHaveText(name);
  await caseType.selectOption({ label: name });
  await expect(caseType.locator("option:checked")).toHaveText([name]);
});
