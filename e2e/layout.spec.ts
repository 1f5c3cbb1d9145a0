import type { Locator, Page } from "@playwright/test";
import { ACCOUNTS, expect, signInAs, test } from "./fixtures";
import { pageWidths, useLongData } from "./long-data";
import { open } from "./rule-helpers";

// The screens at the sizes people use: a phone (390×844), a laptop (1280×800) and a desktop
// (1440×900), with realistic long values (a long rule title and URL, a long email and name, a
// long error). The page itself never scrolls sideways: a wide table scrolls inside its card, the
// navigation folds behind a Menu button on a phone, and the lead page's Retry stays in view.

// The tests run in order in one worker; the last one retries the seeded delivery. A worker that
// restarts after a failure seeds its own data again (beforeAll).
// A test walks several pages; on a busy machine each load takes seconds.
test.describe.configure({ timeout: 90_000 });

const { data, receiver } = useLongData();

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };
const DESKTOP = { width: 1440, height: 900 };

async function expectNoSidewaysScroll(page: Page, path: string) {
  const { scrollWidth, clientWidth } = await pageWidths(page);
  expect(scrollWidth, `${path} scrolls sideways: the document is ${scrollWidth} px wide in a ${clientWidth} px window`).toBeLessThanOrEqual(clientWidth);
}

/** A table that fits its card: nothing of it hides behind a sideways scroll. */
async function expectTableFitsCard(page: Page, name: string) {
  const card = page.getByRole("table", { name }).locator("xpath=..");
  const { scrollWidth, clientWidth } = await card.evaluate((el) => ({ scrollWidth: el.scrollWidth, clientWidth: el.clientWidth }));
  expect(scrollWidth, `the ${name} table is ${scrollWidth} px wide in a ${clientWidth} px card`).toBeLessThanOrEqual(clientWidth);
}

/** Scrolls the window vertically only, so that a control cut off sideways stays cut off. */
async function scrollVerticallyTo(locator: Locator) {
  await locator.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - window.innerHeight / 2));
}

const leadPath = () => `/leads/${encodeURIComponent(data.leadId)}`;
const webhookRow = (page: Page) => page.getByRole("table", { name: "Latest webhook delivery per rule" }).getByRole("row").filter({ hasText: data.ruleTitle });

/** Opens the lead page once its delivery has failed (the dispatcher records the 400 after the receiver answers). */
async function openFailedLead(page: Page) {
  await expect(async () => {
    await open(page, leadPath());
    await expect(webhookRow(page).getByText("Failed", { exact: true })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

test.describe("on a phone", () => {
  test.use({ viewport: PHONE });

  test("the navigation folds behind a Menu button that opens it, and Escape or a link closes it", async ({ page }) => {
    await signInAs(page, "acmeAdmin");
    await open(page, "/rules");
    const menu = page.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(nav).toBeHidden();

    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect(nav.getByRole("link", { name: "Leads" })).toBeInViewport();
    await expect(page.getByText(ACCOUNTS.acmeAdmin.email)).toBeVisible();
    await page.keyboard.press("Escape");
    await expect(nav).toBeHidden();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(menu).toBeFocused();

    // With the keyboard: Enter opens it, Tab goes into it, a link navigates and closes it.
    await page.keyboard.press("Enter");
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await page.keyboard.press("Tab");
    await expect(nav.getByRole("link", { name: "Dashboard" })).toBeFocused();
    await nav.getByRole("link", { name: "Leads" }).focus();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(/\/leads$/);
    await expect(page.getByRole("heading", { name: "Leads", level: 1 })).toBeVisible();
    await expect(nav).toBeHidden();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
  });

  test("the rules table takes the page's width and scrolls inside its card; the page does not", async ({ page }) => {
    await signInAs(page, "acmeAdmin");
    await open(page, `/rules?q=${data.tag}`);
    const table = page.getByRole("table", { name: "Webhook rules" });
    await expect(table.getByRole("row")).toHaveCount(2);
    await expectNoSidewaysScroll(page, "/rules");

    // The card around the table spans the page (less its margins), not a sliver beside a sidebar.
    const card = table.locator("xpath=..");
    const cardBox = (await card.boundingBox())!;
    expect(cardBox.width).toBeGreaterThanOrEqual(PHONE.width - 48);
    expect(await card.evaluate((el) => el.scrollWidth > el.clientWidth), "the table scrolls inside its card").toBe(true);

    // Every column can be brought into view by scrolling the card; the page stays put.
    for (const header of await table.getByRole("columnheader").all()) {
      await header.scrollIntoViewIfNeeded();
      await expect(header).toBeInViewport();
    }
    const edit = table.getByRole("link", { name: `Edit ${data.ruleTitle}` });
    await edit.scrollIntoViewIfNeeded();
    await expect(edit).toBeInViewport();
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
    await expectNoSidewaysScroll(page, "/rules");
  });

  test("the lead page fits the phone and its Retry is in view", async ({ page }) => {
    await signInAs(page, "acmeAdmin");
    await openFailedLead(page);
    await expectNoSidewaysScroll(page, leadPath());
    const retry = webhookRow(page).getByRole("button", { name: `Retry ${data.ruleTitle}` });
    await scrollVerticallyTo(retry);
    await expect(retry).toBeInViewport();
    await expect(webhookRow(page).getByRole("link", { name: `View delivery for ${data.ruleTitle}` })).toBeInViewport();
  });
});

for (const viewport of [LAPTOP, DESKTOP]) {
  test.describe(`at ${viewport.width}×${viewport.height}`, () => {
    test.use({ viewport });

    test("no list or detail page scrolls sideways with long titles, URLs, emails and errors", async ({ page }) => {
      await signInAs(page, "acmeAdmin");
      const deliveries = page.getByRole("table", { name: "Deliveries" });
      for (const [path, table] of [
        ["/rules", "Webhook rules"],
        ["/leads", "Leads"],
        ["/deliveries", "Deliveries"],
      ] as const) {
        await open(page, path);
        await expect(page.getByRole("table", { name: table })).toBeVisible();
        await expectNoSidewaysScroll(page, path);
        // The seeded long values on their own: the table itself fits, no column hides behind a scroll.
        await open(page, `${path}?q=${data.tag}`);
        await expect(page.getByRole("table", { name: table }).getByRole("row").filter({ hasText: data.tag }).first()).toBeVisible();
        await expectNoSidewaysScroll(page, `${path}?q=${data.tag}`);
        await expectTableFitsCard(page, table);
      }
      await deliveries.getByRole("link", { name: /^View delivery/ }).first().click();
      await expect(page).toHaveURL(/\/deliveries\/[^/?]+$/);
      await expect(page.getByRole("heading", { name: /^Attempts \(\d+\)$/ })).toBeVisible();
      await expectNoSidewaysScroll(page, page.url());
      await openFailedLead(page);
      await expectNoSidewaysScroll(page, leadPath());
      await expectTableFitsCard(page, "Latest webhook delivery per rule");
    });

    test("the lead page shows Retry and View delivery without scrolling sideways", async ({ page }) => {
      await signInAs(page, "acmeAdmin");
      await openFailedLead(page);
      const row = webhookRow(page);
      const retry = row.getByRole("button", { name: `Retry ${data.ruleTitle}` });
      await scrollVerticallyTo(retry);
      await expect(retry).toBeInViewport();
      await expect(row.getByRole("link", { name: `View delivery for ${data.ruleTitle}` })).toBeInViewport();
    });

    test("a long email is cut to its column, with the whole address on hover and on keyboard focus", async ({ page }) => {
      await signInAs(page, "acmeAdmin");
      await open(page, `/leads?q=${data.tag}`);
      const row = page.getByRole("table", { name: "Leads" }).getByRole("row").filter({ hasText: data.tag });
      const email = row.getByRole("cell").nth(1).locator("[tabindex='0']");
      await expect(email).toHaveText(data.leadEmail);
      expect(await email.evaluate((el) => el.scrollWidth > el.clientWidth), "the address is cut to fit").toBe(true);
      const tip = row.getByRole("tooltip");
      await expect(tip).toBeHidden();
      await email.hover();
      await expect(tip).toBeVisible();
      await expect(tip).toHaveText(data.leadEmail);
      await page.mouse.move(0, 0);
      await expect(tip).toBeHidden();
      await email.focus();
      await expect(tip).toBeVisible();
      await expect(email).toHaveAttribute("aria-describedby", (await tip.getAttribute("id"))!);
    });
  });
}

test("Retry on the lead page re-sends the delivery", async ({ page }) => {
  await page.setViewportSize(DESKTOP);
  await signInAs(page, "acmeAdmin");
  await openFailedLead(page);
  const row = webhookRow(page);
  const retry = row.getByRole("button", { name: `Retry ${data.ruleTitle}` });
  await scrollVerticallyTo(retry);
  await expect(retry).toBeInViewport();
  await retry.click();
  await expect(page.getByText("Delivery queued for retry")).toBeVisible();
  await expect.poll(() => receiver.hits.length, { timeout: 20_000 }).toBe(2);
  await expect(row.getByText("Succeeded", { exact: true })).toBeVisible({ timeout: 20_000 });
});
