import type { Page } from "@playwright/test";
import { API_KEYS } from "./accounts";
import { expect, signInAs, test } from "./fixtures";
import { useReceiver } from "./receiver";
import { createRuleViaApi, enableWebhooks, open, uniqueTag } from "./rule-helpers";

// The dashboard with real data: a rule sends four leads to a receiver that accepts two, refuses
// one (400: final) and fails one with 503 (retried later, so "retrying"); the dashboard then shows
// them in its chart, its numbers, its rule table and its recent errors, to an admin and a viewer.
//
// Other specs add deliveries to the same organization at the same time, so organization-wide
// numbers are checked by shape and lower bound; the rule's own row is checked exactly.

test.describe.configure({ mode: "serial", timeout: 90_000 });

const tag = uniqueTag();
const ruleTitle = `Dashboard journey ${tag}`;
// Creation rules no other spec's leads meet, so this rule gets exactly the leads posted here.
const MATCH = { status: "Referred Out", office: "North Branch" } as const;
const LEADS = { ok1: "Ok", ok2: "Ok", bad: "Bad", flaky: "Flaky" } as const;

/** The lead's first name, from the delivered JSON. */
const firstNameOf = (body: string) => /"firstName":"(\w+)"/.exec(body)?.[1] ?? "?";

const receiver = useReceiver(({ body }) => {
  const who = firstNameOf(body);
  if (who === "Bad") return { status: 400, headers: { "content-type": "text/plain" }, body: "missing field" };
  if (who === "Flaky") return { status: 503, headers: { "content-type": "text/plain" }, body: "try later" };
  return { status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' };
});
/** The first names of the leads the receiver got, in order. */
const received = () => receiver.hits.map((h) => firstNameOf(h.body));
let ruleId = "";

const chart = (page: Page, per: "hour" | "day") => page.getByRole("img", { name: new RegExp(`^Deliveries per ${per} over the last`) });
const stat = (page: Page, name: string) => page.getByRole("group", { name });
const ruleRow = (page: Page) => page.getByRole("table", { name: "Rule health" }).getByRole("row").filter({ has: page.getByRole("link", { name: ruleTitle, exact: true }) });

/** The rule's row: title link, deliveries, success rate, p50, p95, last failure. */
async function expectRuleRow(page: Page) {
  const row = ruleRow(page);
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("link", { name: ruleTitle })).toHaveAttribute("href", `/rules/${ruleId}`);
  await expect(row.getByText("Failing", { exact: true })).toBeVisible();
  const cells = row.getByRole("cell");
  await expect(cells.nth(0)).toHaveText(/^4\b/); // 4 deliveries (2 succeeded, 1 failed, 1 retrying)
  await expect(cells.nth(0)).toContainText("2 succeeded, 1 failed, 1 retrying");
  await expect(cells.nth(1)).toHaveText("66.6%"); // 2 of the 3 finished
  await expect(cells.nth(2)).toHaveText(/^\d+ ms$|^\d+\.\d s$/);
  await expect(cells.nth(3)).toHaveText(/^\d+ ms$|^\d+\.\d s$/);
  await expect(cells.nth(4)).toHaveText(/UTC$/);
}

test("the dashboard charts a rule's deliveries, its numbers and its errors", async ({ page }) => {
  await signInAs(page, "acmeAdmin");
  await enableWebhooks(page);
  // Through the Webhooks API: the subject here is the dashboard, not the rule form.
  ruleId = await createRuleViaApi(page.request, "acme", {
    title: ruleTitle,
    url: `${receiver.url}/hooks/${tag}`,
    events: ["lead.created"],
    creationRules: { ...MATCH, requiresCaseTrackerCode: true },
  });

  for (const [key, firstName] of Object.entries(LEADS)) {
    const res = await page.request.post("/api/v1/leads", {
      headers: { Authorization: `Bearer ${API_KEYS.acme}` },
      data: { email: `dash-${key}-${tag}@example.test`, firstName, ...MATCH, caseTrackerCode: `CT-${tag}` },
    });
    expect(res.status()).toBe(201);
  }
  // The server dispatches right after each event.
  await expect
    .poll(() => [...new Set(received())].sort(), { message: "the receiver got every lead (the e2e server needs ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8)" })
    .toEqual(["Bad", "Flaky", "Ok"]);
  await expect.poll(() => received().filter((h) => h === "Ok").length).toBe(2);

  // The signed-in home is the dashboard, first in the navigation. The receiver answers before the
  // dispatcher records the outcomes, so reload until they are in.
  await expect(async () => {
    await open(page, "/");
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(ruleRow(page)).toContainText("2 succeeded, 1 failed, 1 retrying", { timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link").first()).toHaveText("Dashboard");
  await expect(page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: "24 hours" })).toHaveAttribute("aria-current", "true");

  // The chart rendered, with bars: this hour holds at least a succeeded, a failed and a retrying segment.
  const hourly = chart(page, "hour");
  await expect(hourly).toBeVisible();
  await expect(hourly).toHaveAccessibleName(/\d+ deliveries \(\d+ succeeded, [1-9]\d* failed, [1-9]\d* retrying/);
  await expect.poll(() => hourly.locator(".recharts-bar-rectangle path").count()).toBeGreaterThanOrEqual(3);
  for (const series of ["Succeeded", "Failed", "Retrying"]) await expect(hourly.locator(".recharts-legend-wrapper")).toContainText(series);

  // Headline numbers (organization-wide).
  await expect(stat(page, "Deliveries")).toContainText(/^Deliveries\s*([4-9]|\d{2,})/);
  await expect(stat(page, "Success rate")).toContainText(/\d+(\.\d)?%/);
  await expect(stat(page, "Response time p50 / p95")).toContainText(/\d+ ms|\d+\.\d s/);
  await expect(stat(page, "Failing rules")).toContainText(/Failing rules\s*[1-9]/);

  await expectRuleRow(page);

  // Recent errors: the 400 and the 503 with their diagnosis, each linking to its delivery.
  const errors = page.getByRole("list", { name: "Recent errors" }).getByRole("listitem").filter({ hasText: ruleTitle });
  const refused = errors.filter({ hasText: "400 Bad Request: the endpoint rejected the payload" });
  await expect(refused.first()).toBeVisible();
  await expect(errors.filter({ hasText: "The endpoint had a server error" }).first()).toBeVisible();
  await refused.first().getByRole("link", { name: /^View delivery/ }).click();
  await expect(page).toHaveURL(/\/deliveries\/[^/?]+$/);
  await expect(page.getByText(ruleTitle).first()).toBeVisible();
});

test("the 7-day range buckets by day, from the URL", async ({ page }) => {
  expect(ruleId, "the first test created the rule").not.toBe("");
  await signInAs(page, "acmeAdmin");
  await open(page, "/dashboard");
  await page.getByRole("navigation", { name: "Time range" }).getByRole("link", { name: "7 days" }).click();
  await expect(page).toHaveURL(/\/dashboard\?range=7d$/);
  const daily = chart(page, "day");
  await expect(daily).toBeVisible();
  await expect.poll(() => daily.locator(".recharts-bar-rectangle path").count()).toBeGreaterThanOrEqual(3);
  await expectRuleRow(page);
});

test("a viewer sees the same dashboard", async ({ page }) => {
  expect(ruleId, "the first test created the rule").not.toBe("");
  await signInAs(page, "acmeViewer");
  await open(page, "/dashboard");
  await expect(chart(page, "hour")).toBeVisible();
  await expectRuleRow(page);
});

test("another organization's dashboard does not show the rule", async ({ page }) => {
  expect(ruleId, "the first test created the rule").not.toBe("");
  await signInAs(page, "globexAdmin");
  await open(page, "/dashboard?range=7d");
  await expect(page.getByRole("heading", { name: "Dashboard", level: 1 })).toBeVisible();
  await expect(page.getByText(ruleTitle)).toHaveCount(0);
});
