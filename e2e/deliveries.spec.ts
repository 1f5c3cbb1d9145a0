import type { Page } from "@playwright/test";
import { API_KEYS } from "./accounts";
import { expect, signInAs, test } from "./fixtures";
import { useReceiver } from "./receiver";
import { createRuleViaApi, enableWebhooks, open, uniqueTag } from "./rule-helpers";

// The retry journey, end to end: a lead arrives through the REST API, its delivery to a real
// receiver fails (400, not retried), an admin opens it from the delivery log and clicks Retry,
// and the receiver gets the same request again under the same webhook-id.
//
// Needs from the e2e server: ALLOW_INSECURE_URLS=true and ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8
// (the receiver is on loopback), and the Acme API key seeded by e2e/prepare.ts (e2e/accounts.ts).

test.describe.configure({ mode: "serial" });

function apiKey(): string {
  return API_KEYS.acme;
}

const tag = uniqueTag();
const leadEmail = `retry-${tag}@example.test`;
const ruleTitle = `Retry journey ${tag}`;
// Fails the first request with 400 (a final failure: 4xx is not retried), then accepts.
const receiver = useReceiver((_hit, n) =>
  n === 1 ? { status: 400, headers: { "content-type": "text/plain" }, body: "not yet" } : { status: 200, headers: { "content-type": "application/json" }, body: '{"received":true}' },
);
let deliveryPath = "";

/**
 * The rule under test, through the Webhooks API: this spec is about the delivery log and Retry.
 * (The form's Requires Case Tracker Code and conditions are exercised by rules.spec.ts and
 * rule-endpoint.spec.ts.)
 */
async function createRule(page: Page, url: string) {
  await createRuleViaApi(page.request, "acme", {
    title: ruleTitle,
    url,
    events: ["lead.created"],
    // Only this spec's lead: leads other specs create in this org (at the same time) stay out of it.
    creationRules: { requiresCaseTrackerCode: true },
    request: { conditions: { match: "all", items: [{ field: "lead.caseTrackerCode", op: "equals", value: `CT-${tag}` }] } },
  });
}

test("an admin retries a failed delivery: same webhook-id, a second attempt, Succeeded", async ({ page }) => {
  await signInAs(page, "acmeAdmin");
  await enableWebhooks(page);
  await createRule(page, `${receiver.url}/hooks/${tag}`);

  const res = await page.request.post("/api/v1/leads", {
    headers: { Authorization: `Bearer ${apiKey()}` },
    data: { email: leadEmail, firstName: "Retry", caseTrackerCode: `CT-${tag}` },
  });
  expect(res.status()).toBe(201);
  // The server kicks its dispatcher right after the event: the first attempt gets the 400.
  await expect
    .poll(() => receiver.hits.length, { message: "the receiver got the first attempt (the e2e server needs ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8)" })
    .toBe(1);

  await open(page, "/deliveries");
  await expect(page.getByRole("heading", { name: "Deliveries", exact: true })).toBeVisible();
  await page.getByLabel("Filter", { exact: true }).fill(leadEmail);
  // The filter applies once typing pauses: wait for the filtered list before clicking in it.
  await expect(page).toHaveURL(new RegExp(`q=retry-${tag}`));
  const table = page.getByRole("table", { name: "Deliveries" });
  const row = table.getByRole("row").filter({ hasText: leadEmail });
  await expect(row).toHaveCount(1);
  await expect(row.getByText("Failed", { exact: true })).toBeVisible();
  await expect(row.getByText(ruleTitle)).toBeVisible();
  await expect(row.getByRole("cell", { name: "400", exact: true })).toBeVisible();
  await row.getByRole("link", { name: /^View/ }).click();

  await expect(page).toHaveURL(/\/deliveries\/[^/?]+$/);
  deliveryPath = new URL(page.url()).pathname;
  const deliveryId = decodeURIComponent(deliveryPath.split("/").pop()!);
  await expect(page.getByRole("heading", { name: "Attempts (1)" })).toBeVisible();
  await expect(page.getByText(deliveryId, { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Retry", exact: true }).click();
  await expect(page.getByText("Delivery queued for retry")).toBeVisible();
  await expect.poll(() => receiver.hits.length).toBe(2);
  const [first, second] = receiver.hits;
  expect(second!.headers["webhook-id"]).toBe(deliveryId);
  expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
  expect(second!.body).toBe(first!.body);

  // The page follows the dispatcher by itself while the delivery is due.
  await expect(page.getByRole("heading", { name: "Attempts (2)" })).toBeVisible();
  const summary = page.locator("section").filter({ has: page.getByRole("heading", { name: "Summary" }) });
  await expect(summary.getByText("Succeeded", { exact: true })).toBeVisible();
  await expect(summary.getByText("2 attempts")).toBeVisible();
});

test("a viewer sees the delivery and its attempts but no Retry buttons", async ({ page }) => {
  expect(deliveryPath, "the first test opened a delivery").not.toBe("");
  await signInAs(page, "acmeViewer");
  await open(page, deliveryPath);
  await expect(page.getByRole("heading", { name: "Attempts (2)" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Refresh" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Retry", exact: true })).toHaveCount(0);
  await open(page, "/deliveries");
  await expect(page.getByRole("heading", { name: "Deliveries", exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Retry failed" })).toHaveCount(0);
});

test("another organization's admin gets a 404 for the delivery", async ({ page }) => {
  expect(deliveryPath, "the first test opened a delivery").not.toBe("");
  await signInAs(page, "globexAdmin");
  const res = await open(page, deliveryPath);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});
