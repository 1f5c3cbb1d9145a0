import type { Page } from "@playwright/test";
import { API_KEYS } from "./accounts";
import { expect, signInAs, test } from "./fixtures";
import { useReceiver } from "./receiver";
import { createRuleViaApi, enableWebhooks, open, saveRuleForm, uniqueTag } from "./rule-helpers";

// What the Response tab leaves on a delivery, seen by an admin: a rule's response parser pulls the
// receiver's own lead id out of its answer, shown on the delivery and on the lead; a 200 that says
// {"status":"error"} fails a body condition, and its attempt shows the error parser's code and
// message and a plain-language diagnosis; a rule whose condition does not match skips the
// delivery, and the delivery says why.
//
// Both rules only take leads from a marketing and an opportunity source no other spec uses, so
// they add no deliveries to other specs' leads. Needs ALLOW_INSECURE_URLS=true and
// ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8 on the e2e server (the receiver is on loopback).

test.describe.configure({ mode: "serial" });

const tag = uniqueTag();
const receiverLeadId = `R-${tag}`;
const valuesRule = `Results values ${tag}`;
const skipRule = `Results skip ${tag}`;
const rejectRule = `Results reject ${tag}`;
const leadEmail = `results-${tag}@example.test`;
const SOURCES = { marketingSource: "Billboard", opportunitySource: "Walk-in" } as const;

/** A CRM that accepts the lead under its own id on /crm, and answers 200 with an error on /reject. */
const receiver = useReceiver(({ path }) => {
  const answer = path.startsWith("/reject")
    ? { status: "error", error: { code: "DUPLICATE", message: "Lead already exists" } }
    : { status: "ok", lead: { id: receiverLeadId } };
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(answer) };
});
/** The paths the receiver got, in order. */
const paths = () => receiver.hits.map((h) => h.path);
let leadId = "";

/** The Rule tab's part of a new rule: Lead Created from our two sources only. */
async function startRule(page: Page, title: string, url: string) {
  await open(page, "/rules/new");
  const form = page.getByRole("form", { name: "Add Webhook Rule" });
  await form.getByLabel("Title", { exact: true }).fill(title);
  await form.getByLabel("URL", { exact: true }).fill(url);
  await form.getByLabel("Trigger", { exact: true }).selectOption({ label: "Lead Created" });
  await form.getByLabel("Marketing Source", { exact: true }).selectOption({ label: SOURCES.marketingSource });
  await form.getByLabel("Opportunity Source", { exact: true }).selectOption({ label: SOURCES.opportunitySource });
  return form;
}

/**
 * Opens a rule's delivery from the lead page's webhooks table. By its link's address rather than a
 * click: the lead page re-reads itself every few seconds while a delivery is pending (the rejected
 * one retries), and a refresh landing during the click can swallow the navigation.
 */
async function openDeliveryFromLead(page: Page, ruleTitle: string) {
  await open(page, `/leads/${encodeURIComponent(leadId)}`);
  const link = page.getByRole("table", { name: "Latest webhook delivery per rule" }).getByRole("link", { name: `View delivery for ${ruleTitle}` });
  const href = await link.getAttribute("href");
  expect(href).toMatch(/^\/deliveries\/[^/?]+$/);
  await open(page, href!);
}

async function save(page: Page) {
  await saveRuleForm(page, page.getByRole("form", { name: "Add Webhook Rule" }));
  await expect(page).toHaveURL(/\/rules$/);
}

test("a response parser value shows on the delivery and the lead; a skipped delivery shows its reason", async ({ page }) => {
  test.setTimeout(120_000); // a rule through the form, on a machine shared with other builds
  await signInAs(page, "acmeAdmin");
  await enableWebhooks(page);

  // The parser and the condition rules through the Webhooks API: the Response tab's values and the
  // Request tab's conditions are filled in and read back through the form by rule-endpoint.spec.ts.
  await createRuleViaApi(page.request, "acme", {
    title: valuesRule,
    url: `${receiver.url}/crm/${tag}`,
    events: ["lead.created"],
    creationRules: SOURCES,
    response: { parsers: [{ name: "lead_id", path: "lead.id" }] },
  });
  await createRuleViaApi(page.request, "acme", {
    title: skipRule,
    url: `${receiver.url}/never/${tag}`,
    events: ["lead.created"],
    creationRules: SOURCES,
    request: { conditions: { match: "all", items: [{ field: "lead.firstName", op: "equals", value: "Nobody" }] } },
  });

  // The body condition, the error parser and the two sources through the form (no other spec fills
  // them in), so what the form saves is what the delivery below is judged by.
  const reject = await startRule(page, rejectRule, `${receiver.url}/reject/${tag}`);
  await reject.getByRole("tab", { name: "Response" }).click();
  await reject.getByLabel("Also check the response body").check();
  await reject.getByLabel("Body path", { exact: true }).fill("status");
  await reject.getByLabel("Equals", { exact: true }).fill("ok");
  await reject.getByLabel("Error code path", { exact: true }).fill("error.code");
  await reject.getByLabel("Error message path", { exact: true }).fill("error.message");
  await save(page);

  // A later rule's field picker offers the value the first rule keeps, as answers.<rule id>.lead_id.
  await open(page, "/rules/new");
  const later = page.getByRole("form", { name: "Add Webhook Rule" });
  await later.getByRole("tab", { name: "Request" }).click();
  await later.getByLabel("Custom mapping").check();
  await later.getByRole("button", { name: "Add mapping" }).click();
  await expect(later.getByLabel("Value 1", { exact: true }).locator("option", { hasText: `${valuesRule}: lead_id (answers.` })).toHaveCount(1);

  const res = await page.request.post("/api/v1/leads", {
    headers: { Authorization: `Bearer ${API_KEYS.acme}` },
    data: { email: leadEmail, firstName: "Results", ...SOURCES },
  });
  expect(res.status()).toBe(201);
  leadId = ((await res.json()) as { id: string }).id;
  await expect
    .poll(() => [...new Set(paths())].sort(), { message: "the receiver got both deliveries" })
    .toEqual([`/crm/${tag}`, `/reject/${tag}`]);

  // The lead page: per rule, the parser's value beside the outcome; the skipped rule says so.
  await open(page, `/leads/${encodeURIComponent(leadId)}`);
  const webhooks = page.getByRole("table", { name: "Latest webhook delivery per rule" });
  const valuesRow = webhooks.getByRole("row").filter({ hasText: valuesRule });
  await expect(valuesRow.getByText("Succeeded", { exact: true })).toBeVisible();
  const listed = valuesRow.getByRole("definition");
  await expect(valuesRow.getByRole("term")).toHaveText("lead_id:");
  await expect(listed).toHaveText(receiverLeadId);
  const skipRow = webhooks.getByRole("row").filter({ hasText: skipRule });
  await expect(skipRow.getByText("Skipped", { exact: true })).toBeVisible();

  // The delivery list: the answer under the last status.
  await open(page, `/deliveries?q=${encodeURIComponent(valuesRule)}`);
  const listRow = page.getByRole("table", { name: "Deliveries" }).getByRole("row").filter({ hasText: valuesRule });
  await expect(listRow.getByText(`Answer: ${receiverLeadId}`, { exact: true })).toBeVisible();

  // The delivery page: the values as their own list.
  await openDeliveryFromLead(page, valuesRule);
  await expect(page.getByRole("heading", { name: "Response values" })).toBeVisible();
  const list = page.getByLabel("Response values", { exact: true });
  await expect(list.getByRole("term")).toHaveText("lead_id");
  await expect(list.getByRole("definition")).toHaveText(receiverLeadId);

  // The 200 that failed the body condition: the endpoint's error and what it means, on the attempt.
  await openDeliveryFromLead(page, rejectRule);
  const attempt = page.locator("details").filter({ has: page.getByRole("heading", { name: "Attempt 1" }) });
  await expect(attempt.locator("summary").getByText("Body condition failed: the response does not report success")).toBeVisible();
  await expect(attempt.getByText('Body check failed: status is "error", expected "ok"', { exact: true })).toBeVisible();
  for (const [term, definition] of [["Error code", "DUPLICATE"], ["Error message", "Lead already exists"]]) {
    await expect(attempt.getByRole("term").filter({ hasText: new RegExp(`^${term}$`) })).toBeVisible();
    await expect(attempt.getByRole("definition").filter({ hasText: new RegExp(`^${definition}$`) })).toBeVisible();
  }

  // The skipped delivery: its reason first, and no attempt.
  await openDeliveryFromLead(page, skipRule);
  // Once, not "Skipped: Skipped: …": the reason names the field that did not match.
  await expect(page.getByText(/^Skipped: (?!Skipped).*lead\.firstName/)).toBeVisible();
  await expect(page.getByText("Skipped before any attempt.")).toBeVisible();
  expect(paths().filter((p) => p.startsWith("/never"))).toEqual([]);
});

test("a viewer sees the same values; another organization cannot open the lead", async ({ page }) => {
  expect(leadId, "the first test created the lead").not.toBe("");
  await signInAs(page, "acmeViewer");
  await open(page, `/leads/${encodeURIComponent(leadId)}`);
  await expect(page.getByRole("table", { name: "Latest webhook delivery per rule" }).getByText(receiverLeadId)).toBeVisible();
  await signInAs(page, "globexAdmin");
  const res = await open(page, `/leads/${encodeURIComponent(leadId)}`);
  expect(res?.status()).toBe(404);
});
