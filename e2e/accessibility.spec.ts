import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";
import { useLongData } from "./long-data";
import { open } from "./rule-helpers";

// axe-core on every main page, signed out and signed in as an admin, with real data on the page
// (a rule, a lead, a failed delivery with its attempt). A serious or critical finding fails the
// test, and so does a skipped heading level (axe rates it moderate, but a screen-reader user
// navigating by headings loses the outline).

// One axe run takes a few seconds on a busy machine; a form with four tabs is four runs.
test.describe.configure({ timeout: 120_000 });

const { data } = useLongData();

/** Runs axe on the page as it is now and fails with a readable list of what it found. */
async function expectNoSeriousFindings(page: Page, what: string) {
  const axe = new AxeBuilder({ page });
  // Without frames, axe.run in the page itself (legacy mode) finds exactly what the default finds
  // (per-frame runPartial, then finishRun in a new blank page: a page opened, axe injected again
  // and every partial result copied into it, for each run) in about half the time: measured on
  // /api-docs, /settings, /rules/new and /dashboard, same violations, passes, incomplete and
  // inapplicable rules and node counts. Legacy mode skips cross-origin frames, so a page with any
  // frame keeps the default.
  if (page.frames().length === 1) axe.setLegacyMode();
  const results = await axe.analyze();
  const findings = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical" || v.id === "heading-order");
  const report = findings.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}  ${n.failureSummary?.split("\n").join(" ") ?? ""}`).join("\n")}`);
  expect(report, `axe findings on ${what}`).toEqual([]);
}

/** Opens a signed-in page and waits for its main heading, so axe sees the rendered page. */
async function openPage(page: Page, path: string, heading: string | RegExp) {
  await open(page, path);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

test.describe("signed out", () => {
  test("the sign-in page", async ({ page }) => {
    await open(page, "/login");
    await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
    await expectNoSeriousFindings(page, "/login");
  });

  test("the setup page once setup is done", async ({ page }) => {
    await open(page, "/setup");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoSeriousFindings(page, `/setup (${new URL(page.url()).pathname})`);
  });
});

test.describe("signed in as an admin", () => {
  test.use({ account: "acmeAdmin" });

  for (const [path, heading] of [
    ["/dashboard", "Dashboard"],
    ["/rules", "Webhook Rules"],
    ["/deliveries", "Deliveries"],
    ["/leads", "Leads"],
    ["/leads/new", "New lead"],
    ["/notifications", "Notifications"],
    ["/settings", "Settings"],
    ["/api-docs", "API reference"],
  ] as const) {
    test(`the page ${path}`, async ({ page }) => {
      await openPage(page, path, heading);
      await expectNoSeriousFindings(page, path);
    });
  }

  for (const which of ["a new rule", "an existing rule"] as const) {
    test(`the form of ${which}, on each tab`, async ({ page }) => {
      const path = which === "a new rule" ? "/rules/new" : `/rules/${encodeURIComponent(data.ruleId)}`;
      await open(page, path);
      const tabs = page.getByRole("tab");
      await expect(tabs.first()).toBeVisible();
      const names = await tabs.allTextContents();
      expect(names.length).toBeGreaterThan(1);
      for (const name of names) {
        const tab = page.getByRole("tab", { name: name.trim(), exact: true });
        await tab.click();
        await expect(tab).toHaveAttribute("aria-selected", "true");
        await expectNoSeriousFindings(page, `${path}, tab ${name.trim()}`);
      }
    });
  }

  test("a lead, its edit form, and a failed delivery with its attempt", async ({ page }) => {
    const leadPath = `/leads/${encodeURIComponent(data.leadId)}`;
    const webhooks = page.getByRole("table", { name: "Latest webhook delivery per rule" });
    await expect(async () => {
      await open(page, leadPath);
      await expect(webhooks.getByText("Failed", { exact: true })).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await expectNoSeriousFindings(page, leadPath);

    await openPage(page, `${leadPath}/edit`, /Edit/);
    await expectNoSeriousFindings(page, `${leadPath}/edit`);

    await open(page, leadPath);
    await webhooks.getByRole("link", { name: `View delivery for ${data.ruleTitle}` }).click();
    await expect(page.getByRole("heading", { name: "Attempts (1)" })).toBeVisible();
    await expectNoSeriousFindings(page, "a delivery");
  });

  test("on a phone, with the menu open", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openPage(page, "/rules", "Webhook Rules");
    await expectNoSeriousFindings(page, "/rules on a phone");
    await page.getByRole("button", { name: "Menu" }).click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expectNoSeriousFindings(page, "/rules on a phone, menu open");
  });
});

test("every page has an icon the browser can load (no favicon 404)", async ({ page }) => {
  const missing: string[] = [];
  page.on("response", (res) => {
    if (res.status() === 404) missing.push(res.url());
  });
  await open(page, "/login");
  const href = await page.locator("link[rel~='icon']").first().getAttribute("href");
  expect(href, "the page links an icon").toBeTruthy();
  const icon = await page.request.get(href!);
  expect(icon.status()).toBe(200);
  expect(icon.headers()["content-type"]).toMatch(/^image\//);
  expect(missing).toEqual([]);
});
