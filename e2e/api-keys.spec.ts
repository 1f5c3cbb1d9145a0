import { expect, test } from "./fixtures";

// Settings → API keys: created and shown once, usable against the REST API, listed by prefix,
// revoked for good. Viewers see the list only.

const KEY = /^lhk_[0-9A-Za-z]{32,}$/;
const probe = "/api/v1/leads/lead_doesnotexist";

test.describe("API keys as an admin", () => {
  test.use({ account: "acmeAdmin" });

  test("create a key, see it once, use it, then revoke it", async ({ page }) => {
    const name = `Website form ${Date.now().toString(36)}`;
    await page.goto("/settings");
    await page.getByLabel("Key name").fill(name);
    await page.getByRole("button", { name: "Create API key" }).click();

    const panel = page.getByRole("region", { name: `API key “${name}” created` });
    await expect(panel.getByText("Copy this key now. You won't be able to see it again.")).toBeVisible();
    const key = await panel.getByLabel("New API key").inputValue();
    expect(key).toMatch(KEY);
    await expect(panel.getByRole("button", { name: "Copy" })).toBeVisible();

    const table = page.getByRole("table", { name: "API keys of the organization" });
    const row = table.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText(`${key.slice(0, 12)}…`);
    await expect(row).toContainText("Never");
    await expect(row).toContainText("Active");

    // The key works: an unknown lead is a 404 (authenticated), not a 401.
    const auth = { authorization: `Bearer ${key}` };
    expect((await page.request.get(probe, { headers: auth })).status()).toBe(404);

    // Shown once: after a reload the page holds the prefix only.
    await page.reload();
    await expect(page.getByText("Copy this key now.")).toHaveCount(0);
    expect(await page.content()).not.toContain(key);
    await expect(table.getByRole("row").filter({ hasText: name })).not.toContainText("Never");

    await table.getByRole("row").filter({ hasText: name }).getByRole("button", { name: `Revoke ${name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Revoke “${name}”?` });
    await dialog.getByRole("button", { name: "Revoke key" }).click();
    await expect(dialog).toBeHidden();
    await expect(table.getByRole("row").filter({ hasText: name })).toContainText("Revoked");
    expect((await page.request.get(probe, { headers: auth })).status()).toBe(401);
  });

  test("a key needs a name", async ({ page }) => {
    await page.goto("/settings");
    await page.getByRole("button", { name: "Create API key" }).click();
    await expect(page.getByText("Name the key, e.g. the system that will use it.")).toBeVisible();
    await expect(page.getByText("Copy this key now.")).toHaveCount(0);
  });
});

test.describe("API keys as a viewer", () => {
  test.use({ account: "acmeViewer" });

  test("sees the list but cannot create or revoke", async ({ page }) => {
    await page.goto("/settings");
    await expect(page.getByRole("heading", { name: "API keys" })).toBeVisible();
    await expect(page.getByLabel("Key name")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Create API key" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^Revoke/ })).toHaveCount(0);
  });
});
