import type { Page } from "@playwright/test";
import { API_KEYS } from "./accounts";
import { expect, signInAs, test } from "./fixtures";

// The Leads journey: an admin enters a lead, finds it in the list, edits its status, adds a
// note and reads the history; viewers read only; another organization gets a 404.

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

async function createLeadInUi(page: Page, email: string) {
  await page.goto("/leads");
  await page.getByRole("link", { name: "New lead" }).first().click();
  await expect(page.getByRole("heading", { name: "New lead" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("First name").fill("Jane");
  await page.getByLabel("Last name").fill("Roe");
  await page.getByLabel("Status").selectOption("New");
  await page.getByLabel("Office").selectOption("Downtown");
  await page.getByLabel("Score").fill("80");
  await page.getByRole("button", { name: "Add custom field" }).click();
  await page.getByLabel("Field name 1").fill("source_id");
  await page.getByLabel("Field value 1").fill("web-42");
  await page.getByRole("button", { name: "Create lead" }).click();
  await expect(page.getByText(/Lead created — /)).toBeVisible();
  await expect(page).toHaveURL(/\/leads\/lead_[0-9A-Za-z]+$/);
  return page.url().split("/").pop()!;
}

test.describe("leads as an admin", () => {
  test.use({ account: "acmeAdmin" });

  test("create a lead, find it in the list, edit its status, add a note, read the history", async ({ page }) => {
    const email = `jane.${unique()}@example.test`;
    const leadId = await createLeadInUi(page, email);
    await expect(page.getByRole("heading", { name: "Jane Roe" })).toBeVisible();
    await expect(page.getByText("web-42")).toBeVisible();

    // The list finds it by email, with its status and a link to the detail.
    await page.goto("/leads");
    await page.getByLabel("Filter").fill(email);
    await page.getByLabel("Filter").press("Enter");
    const table = page.getByRole("table", { name: "Leads" });
    await expect(table.getByRole("row")).toHaveCount(2);
    const row = table.getByRole("row").filter({ hasText: email });
    await expect(row).toContainText("New");
    await expect(row).toContainText("Downtown");
    await row.getByRole("link", { name: "Jane Roe" }).click();
    await expect(page).toHaveURL(new RegExp(`/leads/${leadId}$`));

    // Edit the status; the substatus select appears for a status that has substatuses.
    await page.getByRole("link", { name: "Edit lead" }).click();
    await expect(page.getByLabel("Email")).toHaveValue(email);
    await page.getByLabel("Status").selectOption("Contacted");
    await page.getByLabel("Substatus").selectOption("Left Voicemail");
    await page.getByRole("button", { name: "Save lead" }).click();
    await expect(page.getByText(/Lead saved — /)).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/leads/${leadId}$`));
    await expect(page.getByText("Contacted › Left Voicemail")).toBeVisible();

    // A note, then the notes and the event history.
    await page.getByLabel("Note").fill("Called twice, left a voicemail.");
    await page.getByRole("button", { name: "Add note" }).click();
    await expect(page.getByText(/Note added — /)).toBeVisible();
    const note = page.getByRole("listitem").filter({ hasText: "Called twice, left a voicemail." });
    await expect(note).toBeVisible();
    await expect(note).toContainText("admin@acme.test");
    const history = page.getByRole("list", { name: "Event history" });
    for (const label of ["Lead Created", "Lead Edited", "Lead Status Changed", "Note Added"]) {
      await expect(history.getByText(label, { exact: true })).toBeVisible();
    }
    await expect(page.getByLabel("Note")).toHaveValue("");
  });

  test("the form shows every field error at once and sends nothing until they are fixed", async ({ page }) => {
    await page.goto("/leads/new");
    await page.getByLabel("First name").fill("Nobody");
    await page.getByRole("button", { name: "Create lead" }).click();
    await expect(page.getByText("A lead needs an email or a phone number.")).toBeVisible();
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Score").fill("4.5");
    await page.getByRole("button", { name: "Create lead" }).click();
    await expect(page.getByText("Enter a valid email address.")).toBeVisible();
    await expect(page.getByText("Score must be a whole number.")).toBeVisible();
    await expect(page).toHaveURL(/\/leads\/new$/);
  });
});

test.describe("leads as a viewer and across organizations", () => {
  test("a viewer reads a lead but gets no edit, note or retry controls; another organization gets a 404", async ({ request, browser }) => {
    // The same lead as the form makes in the admin journey above, through the REST API: the
    // subject here is what a viewer and an outsider get.
    const created = await request.post("/api/v1/leads", {
      headers: { Authorization: `Bearer ${API_KEYS.acme}` },
      data: { email: `viewer.${unique()}@example.test`, firstName: "Jane", lastName: "Roe", status: "New", office: "Downtown", score: 80, customFields: { source_id: "web-42" } },
    });
    expect(created.status(), await created.text()).toBe(201);
    const leadId = ((await created.json()) as { id: string }).id;

    const viewer = await browser.newPage();
    await signInAs(viewer, "acmeViewer");
    await viewer.goto("/leads");
    await expect(viewer.getByRole("heading", { name: "Leads", exact: true })).toBeVisible();
    await expect(viewer.getByRole("link", { name: "New lead" })).toHaveCount(0);
    await viewer.goto(`/leads/${leadId}`);
    await expect(viewer.getByRole("heading", { name: "Jane Roe" })).toBeVisible();
    await expect(viewer.getByRole("link", { name: "Edit lead" })).toHaveCount(0);
    await expect(viewer.getByLabel("Note")).toHaveCount(0);
    await expect(viewer.getByRole("button", { name: /Retry/ })).toHaveCount(0);
    await viewer.close();

    const outsider = await browser.newPage();
    await signInAs(outsider, "globexAdmin");
    for (const path of [`/leads/${leadId}`, `/leads/${leadId}/edit`]) {
      const res = await outsider.goto(path);
      expect(res?.status()).toBe(404);
      await expect(outsider.getByText("Jane Roe")).toHaveCount(0);
    }
    await outsider.close();
  });
});
