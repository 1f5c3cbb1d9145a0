import type { Page } from "@playwright/test";
import { ACCOUNTS, ORGANIZATIONS, PASSWORD, expect, login, test } from "./fixtures";

// Next's route announcer is also role="alert"; the form's error is the one with the message.
const signInError = (page: Page) => page.getByRole("alert").filter({ hasText: "Incorrect email or password." });

test.describe("signing in and out", () => {
  test("the seeded admin signs in and lands on the dashboard, in their organization", async ({ page }) => {
    await login(page, ACCOUNTS.acmeAdmin.email);
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByRole("heading", { name: "Dashboard", exact: true })).toBeVisible();
    await expect(page.getByText(ORGANIZATIONS.acme)).toBeVisible();
    await expect(page.getByText("Admin", { exact: true })).toBeVisible();
  });

  test("a wrong password shows the error and stays on the sign-in page", async ({ page }) => {
    await login(page, ACCOUNTS.acmeAdmin.email, "not-the-password");
    await expect(signInError(page)).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    // Still signed out: the admin pages send us back.
    await page.goto("/rules");
    await expect(page).toHaveURL(/\/login/);
  });

  test("an unknown email gets the same error as a wrong password", async ({ page }) => {
    await login(page, "nobody@acme.test");
    await expect(signInError(page)).toBeVisible();
  });

  test("signing out returns to the sign-in page and ends the session", async ({ page }) => {
    await login(page, ACCOUNTS.globexViewer.email);
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByText(ORGANIZATIONS.globex)).toBeVisible();
    await expect(page.getByText("Viewer (read only)")).toBeVisible();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await page.goto("/rules");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("the admin pages redirect to sign-in when signed out", async ({ page }) => {
    await page.goto("/rules");
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByLabel("Email")).toBeVisible();
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });

  test("first-run setup, once done, sends the person to sign in and says why", async ({ page }) => {
    await page.goto("/setup");
    await expect(page).toHaveURL(/\/login\?setup=done$/);
    await expect(page.getByRole("status").filter({ hasText: "This Leadhooks is already set up." })).toBeVisible();
    await expect(page.getByLabel("Organization name")).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    // Signing in from there goes on as usual.
    await page.getByLabel("Email").fill(ACCOUNTS.acmeViewer.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(/\/dashboard$/);
  });

  test("signing out returns to the address the app was opened by, not NEXTAUTH_URL's", async ({ page, baseURL }) => {
    // NEXTAUTH_URL is baseURL (localhost); people also open the app by another address, as the
    // start output prints its network address.
    const other = new URL(baseURL!);
    other.hostname = "127.0.0.1";
    const origin = other.origin;
    await page.goto(`${origin}/login`);
    await page.getByLabel("Email").fill(ACCOUNTS.acmeViewer.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveURL(`${origin}/dashboard`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(`${origin}/login`);
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await page.goto(`${origin}/rules`);
    await expect(page).toHaveURL(`${origin}/login`);
  });
});

test.describe("signed in through the fixture", () => {
  test.use({ account: "globexAdmin" });

  test("the session belongs to the chosen account", async ({ page, user }) => {
    await page.goto("/rules");
    await expect(page.getByText(ORGANIZATIONS.globex)).toBeVisible();
    await expect(page.getByText(user!.email)).toBeVisible();
    // A signed-in user is sent from /login to the dashboard.
    await page.goto("/login");
    await expect(page).toHaveURL(/\/dashboard$/);
  });
});
