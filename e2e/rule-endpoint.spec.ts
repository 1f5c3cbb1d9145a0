import type { Locator, Page } from "@playwright/test";
import { expect, signInAs, test } from "./fixtures";
import { useReceiver, type Hit } from "./receiver";
import { newRuleForm, open, ruleIdOf, ruleTab as tab, saveRuleForm, UNTESTED_DIALOG, uniqueTag } from "./rule-helpers";

// The rule form's endpoint tabs as an admin of Acme: Authentication (secrets never come back),
// Request (custom mapping, form format, a condition, the live preview of the sample lead) and
// Response (a parser); a tab with an error is marked; Save asks before saving an untested rule;
// a viewer gets the tabs read-only, without Test Connection.

test.use({ account: "acmeAdmin" });
// Several tabs and server round trips per test on a shared, busy server.
test.describe.configure({ timeout: 120_000 });

const PREVIEW_BODY = "email_address=jane.oneil%40example.com&first_name=JANE&source=leadhooks&region=northeast";

async function addMapping(form: Locator, n: number, target: string, source: { field?: string; custom?: string; static?: string }) {
  await form.getByRole("button", { name: "Add mapping" }).click();
  await form.getByLabel(`Outbound field ${n}`, { exact: true }).fill(target);
  if (source.static !== undefined) {
    await form.getByLabel(`Source ${n}`, { exact: true }).selectOption({ label: "Static value" });
    await form.getByLabel(`Value ${n}`, { exact: true }).fill(source.static);
  } else if (source.custom !== undefined) {
    await form.getByLabel(`Value ${n}`, { exact: true }).selectOption({ label: "Custom field (lead.customFields.…)" });
    await form.getByLabel(`Custom field name ${n}`, { exact: true }).fill(source.custom);
  } else {
    await form.getByLabel(`Value ${n}`, { exact: true }).selectOption(source.field ?? "");
  }
}

test("Basic auth, a custom form mapping, a condition and a response parser are kept; the password never comes back", async ({ page }) => {
  const tag = uniqueTag();
  const title = `Endpoint settings ${tag}`;
  const secret = `s3cret-${tag}`;
  const form = await newRuleForm(page, title);

  await tab(form, "Authentication").click();
  await form.getByLabel("Authentication Type").selectOption({ label: "Basic" });
  await form.getByLabel("Username", { exact: true }).fill("crm-user");
  await form.getByLabel("Password", { exact: true }).fill(secret);

  await tab(form, "Request").click();
  await form.getByLabel("Custom mapping").check();
  await addMapping(form, 1, "email_address", { field: "lead.email" });
  await addMapping(form, 2, "first_name", { field: "lead.firstName" });
  await form.getByRole("button", { name: "Transforms 2" }).click();
  await form.getByLabel("Case 2", { exact: true }).selectOption({ label: "UPPER CASE" });
  await form.getByLabel("Trim spaces 2", { exact: true }).check();
  await addMapping(form, 3, "source", { static: "leadhooks" });
  await addMapping(form, 4, "region", { custom: "region" });
  await form.getByLabel("Payload format", { exact: true }).selectOption({ label: "Form URL-encoded" });

  // The live preview renders the sample lead with the mapping and format, credentials masked.
  const preview = form.getByRole("region", { name: "Preview (sample lead)" });
  await expect(preview).toContainText("POST https://hooks.example.com/e2e/");
  await expect(preview.getByLabel("Body")).toHaveText(PREVIEW_BODY);
  await expect(preview.getByLabel("Headers")).toContainText("content-type: application/x-www-form-urlencoded");
  await expect(preview.getByLabel("Headers")).toContainText(/authorization: Basic •+/);
  await expect(preview).not.toContainText(secret);

  await form.getByRole("button", { name: "Add condition" }).click();
  await form.getByLabel("Condition field 1", { exact: true }).selectOption("lead.office");
  // A new condition's operator is "equals" (the delivery specs' conditions, made through the API, spell it out).
  await expect(form.getByLabel("Operator 1", { exact: true })).toHaveValue("equals");
  await form.getByLabel("Operator 1", { exact: true }).selectOption({ label: "equals" });
  await form.getByLabel("Condition value 1", { exact: true }).fill("Boston");

  await tab(form, "Response").click();
  await form.getByRole("button", { name: "Add value" }).click();
  await form.getByLabel("Value name 1", { exact: true }).fill("lead_id");
  await form.getByLabel("Value path 1", { exact: true }).fill("data.id");

  // Never tested: Save asks first. Cancel leaves everything as it was.
  await form.getByRole("button", { name: "Save", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: UNTESTED_DIALOG });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("It has not been tested");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL(/\/rules\/new$/);
  await expect(form.getByLabel("Value name 1", { exact: true })).toHaveValue("lead_id");
  expect(await saveRuleForm(page, form)).toBe(true);
  await expect(page.getByText("Webhook rule created")).toBeVisible();

  // Reopened: every setting as saved, the password blank and marked as set.
  const id = await ruleIdOf(page, title);
  await open(page, `/rules/${id}`);
  const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
  expect(await page.content()).not.toContain(secret);
  await tab(edit, "Authentication").click();
  await expect(edit.getByLabel("Authentication Type").locator("option:checked")).toHaveText("Basic");
  await expect(edit.getByLabel("Username", { exact: true })).toHaveValue("crm-user");
  const password = edit.getByLabel("Password", { exact: true });
  await expect(password).toHaveValue("");
  await expect(password).toHaveAttribute("type", "password");
  await expect(password).toHaveAttribute("placeholder", "•••• set");
  await expect(edit.getByText("Leave blank to keep the saved value.")).toBeVisible();
  await expect(edit.getByText("Not tested yet.")).toBeVisible();

  await tab(edit, "Request").click();
  await expect(edit.getByLabel("Custom mapping")).toBeChecked();
  for (const [n, target] of ["email_address", "first_name", "source", "region"].entries()) {
    await expect(edit.getByLabel(`Outbound field ${n + 1}`, { exact: true })).toHaveValue(target);
  }
  await expect(edit.getByLabel("Value 1", { exact: true })).toHaveValue("lead.email");
  await expect(edit.getByLabel("Value 3", { exact: true })).toHaveValue("leadhooks");
  await expect(edit.getByLabel("Custom field name 4", { exact: true })).toHaveValue("region");
  await expect(edit.getByLabel("Case 2", { exact: true })).toHaveValue("upper");
  await expect(edit.getByLabel("Trim spaces 2", { exact: true })).toBeChecked();
  await expect(edit.getByLabel("Payload format", { exact: true })).toHaveValue("FORM");
  await expect(edit.getByLabel("Condition field 1", { exact: true })).toHaveValue("lead.office");
  await expect(edit.getByLabel("Condition value 1", { exact: true })).toHaveValue("Boston");
  // The saved Basic password still renders into the preview as a masked header.
  await expect(edit.getByRole("region", { name: "Preview (sample lead)" }).getByLabel("Body")).toHaveText(PREVIEW_BODY);

  await tab(edit, "Response").click();
  await expect(edit.getByLabel("Value name 1", { exact: true })).toHaveValue("lead_id");
  await expect(edit.getByLabel("Value path 1", { exact: true })).toHaveValue("data.id");

  // Saving again with the password left blank keeps it.
  expect(await saveRuleForm(page, edit)).toBe(true);
  await expect(page.getByText("Webhook rule saved")).toBeVisible();
  await open(page, `/rules/${id}`);
  await tab(edit, "Authentication").click();
  await expect(edit.getByLabel("Password", { exact: true })).toHaveAttribute("placeholder", "•••• set");
});

test("an error on a hidden tab opens that tab, and the tab stays marked while another is shown", async ({ page }) => {
  const form = await newRuleForm(page, `Tab errors ${uniqueTag()}`);
  await tab(form, "Request").click();
  await form.getByLabel("Custom mapping").check();
  await form.getByRole("button", { name: "Add mapping" }).click();
  await tab(form, "Authentication").click();
  await form.getByLabel("Authentication Type").selectOption({ label: "API Key" });
  await form.getByLabel("Key name", { exact: true }).fill("bad name");
  await tab(form, "Rule").click();

  await form.getByRole("button", { name: "Save", exact: true }).click();
  // The first error in form order is the key name: its tab opens with the field focused.
  await expect(form.getByRole("tab", { name: "Authentication (has errors)" })).toHaveAttribute("aria-selected", "true");
  await expect(form.getByLabel("Key name", { exact: true })).toBeFocused();
  await expect(form.getByLabel("Key name", { exact: true })).toHaveAccessibleDescription(/^Enter the key name: a header or query parameter name/);
  // The Request tab is marked too, without being shown.
  await expect(form.getByRole("tab", { name: "Request (has errors)" })).toHaveAttribute("aria-selected", "false");
  await expect(page.getByRole("dialog", { name: UNTESTED_DIALOG })).toHaveCount(0);

  // Fixing the key name clears its tab's mark; the mapping's error is on the Request tab.
  await form.getByLabel("Key name", { exact: true }).fill("X-Api-Key");
  await expect(form.getByRole("tab", { name: "Authentication", exact: true })).toBeVisible();
  await form.getByRole("tab", { name: "Request (has errors)" }).click();
  await expect(form.getByLabel("Outbound field 1", { exact: true })).toHaveAttribute("aria-invalid", "true");
  // Read through the field's description: the live preview may show the same message as well.
  await expect(form.getByLabel("Outbound field 1", { exact: true })).toHaveAccessibleDescription("Enter the outbound field name (dots nest: name.first).");
  await form.getByLabel("Outbound field 1", { exact: true }).fill("email");
  await form.getByLabel("Value 1", { exact: true }).selectOption("lead.email");
  await expect(form.getByRole("tab", { name: "Request", exact: true })).toBeVisible();
});

test("the tabs are keyboard operable: arrow keys move between tabs and show their panels", async ({ page }) => {
  const form = await newRuleForm(page, `Keyboard ${uniqueTag()}`);
  await tab(form, "Rule").focus();
  await page.keyboard.press("ArrowRight");
  await expect(tab(form, "Authentication")).toBeFocused();
  await expect(tab(form, "Authentication")).toHaveAttribute("aria-selected", "true");
  await expect(form.getByLabel("Authentication Type")).toBeVisible();
  await page.keyboard.press("End");
  await expect(tab(form, "Response")).toHaveAttribute("aria-selected", "true");
  await expect(form.getByLabel("Success status codes")).toHaveValue("2xx");
  await page.keyboard.press("ArrowRight");
  await expect(tab(form, "Rule")).toHaveAttribute("aria-selected", "true");
});

test.describe("as a viewer", () => {
  let ruleId = "";
  const title = `Viewer endpoint ${uniqueTag()}`;

  test.beforeAll(async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signInAs(page, "acmeAdmin");
      const form = await newRuleForm(page, title);
      await tab(form, "Authentication").click();
      await form.getByLabel("Authentication Type").selectOption({ label: "Bearer Token" });
      await form.getByLabel("Token", { exact: true }).fill("viewer-must-not-see-this");
      await saveRuleForm(page, form);
      await expect(page.getByText("Webhook rule created")).toBeVisible();
      ruleId = await ruleIdOf(page, title);
    } finally {
      await context.close();
    }
  });

  test.use({ account: "acmeViewer" });

  test("the endpoint tabs are read-only and there is no Test Connection", async ({ page }) => {
    await open(page, `/rules/${ruleId}`);
    const form = page.getByRole("form", { name: "Edit Webhook Rule" });
    expect(await page.content()).not.toContain("viewer-must-not-see-this");
    await tab(form, "Authentication").click();
    await expect(form.getByLabel("Authentication Type")).toBeDisabled();
    await expect(form.getByLabel("Token", { exact: true })).toBeDisabled();
    await expect(form.getByLabel("Token", { exact: true })).toHaveAttribute("placeholder", "•••• set");
    await expect(form.getByRole("button", { name: "Test Connection" })).toHaveCount(0);
    await tab(form, "Request").click();
    await expect(form.getByLabel("Method", { exact: true })).toBeDisabled();
    await expect(form.getByLabel("Timeout (milliseconds)")).toBeDisabled();
    await expect(form.getByRole("button", { name: "Add header" })).toBeDisabled();
    await tab(form, "Response").click();
    await expect(form.getByLabel("Success status codes")).toBeDisabled();
    await expect(form.getByLabel("Retry strategy")).toBeDisabled();
    await expect(form.getByRole("button", { name: "Save" })).toHaveCount(0);
  });
});

test.describe("Test Connection", () => {
  const BASIC_OK = `Basic ${Buffer.from("crm-user:right-password").toString("base64")}`;
  /** A request's path without its query. */
  const pathOf = (hit: Hit) => hit.path.split("?")[0] ?? "/";
  const json = (status: number, body: unknown) => ({ status, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  // A real endpoint on loopback: /basic checks Basic credentials, /forbidden refuses every token,
  // /token is an OAuth token endpoint that does not know the client.
  const receiver = useReceiver((hit) => {
    const path = pathOf(hit);
    if (path === "/basic") return hit.headers.authorization === BASIC_OK ? json(200, { id: "crm-42" }) : json(401, { error: "bad credentials" });
    if (path === "/forbidden") return json(403, { error: "insufficient_scope" });
    if (path === "/token") return json(401, { error: "invalid_client", error_description: "Unknown client" });
    return json(404, { error: "no such path" });
  });

  const result = (form: Locator) => form.getByRole("status", { name: "Test Connection result" });

  // Each check below starts with what only the new result says: the previous one stays on screen
  // until the click's validation has run.
  const runTest = (form: Locator) => form.getByRole("button", { name: "Test Connection" }).click();

  test("401 with wrong credentials, success with the right ones; a passed test saves without asking", async ({ page }) => {
    const title = `Test connection ${uniqueTag()}`;
    const form = await newRuleForm(page, title, `${receiver.url}/basic`);
    await tab(form, "Authentication").click();
    await expect(form.getByText("Not tested yet.")).toBeVisible();
    await form.getByLabel("Authentication Type").selectOption({ label: "Basic" });
    await form.getByLabel("Username", { exact: true }).fill("crm-user");
    await form.getByLabel("Password", { exact: true }).fill("wrong-password");

    await runTest(form);
    await expect(result(form)).toContainText("401 Unauthorized: verify the credentials");
    await expect(result(form)).toContainText("Failed");
    await expect(result(form)).toContainText("Status 401");
    await expect(result(form).getByLabel("Response body")).toContainText('{"error":"bad credentials"}');
    await expect(result(form)).toContainText(/\d+ ms|\d+\.\d s/);
    await expect(form.getByText(/^Last tested .*: failed — 401 Unauthorized/)).toBeVisible();
    const sent = receiver.hits.at(-1);
    expect(sent && pathOf(sent)).toBe("/basic");
    expect(sent?.headers["leadhooks-test"]).toBe("true");

    await form.getByLabel("Password", { exact: true }).fill("right-password");
    await runTest(form);
    await expect(result(form)).toContainText("Connected: the endpoint accepted the request");
    await expect(result(form)).toContainText("Success");
    await expect(result(form)).toContainText("Status 200");
    await expect(form.getByText(/^Last tested .*: passed/)).toBeVisible();

    // Passed in this session: Save does not ask.
    expect(await saveRuleForm(page, form)).toBe(false);
    await expect(page.getByText("Webhook rule created")).toBeVisible();

    // Tested again once saved (blank password: the saved one), the result is kept on the rule.
    const id = await ruleIdOf(page, title);
    await open(page, `/rules/${id}`);
    const edit = page.getByRole("form", { name: "Edit Webhook Rule" });
    await tab(edit, "Authentication").click();
    await runTest(edit);
    await expect(result(edit)).toContainText("Status 200");
    await page.reload({ waitUntil: "networkidle" });
    await tab(edit, "Authentication").click();
    await expect(edit.getByText(/^Last tested .*: passed — Connected/)).toBeVisible();
  });

  test("403 explains the token's scopes; a failing OAuth token URL says so", async ({ page }) => {
    const form = await newRuleForm(page, `Test connection ${uniqueTag()}`, `${receiver.url}/forbidden`);
    await tab(form, "Authentication").click();
    await form.getByLabel("Authentication Type").selectOption({ label: "Bearer Token" });
    await expect(form.getByLabel("Prefix", { exact: true })).toHaveValue("Bearer");
    await form.getByLabel("Token", { exact: true }).fill("token-without-scope");
    await runTest(form);
    await expect(result(form)).toContainText("403 Forbidden: check the token's permissions/scopes");
    await expect(result(form)).toContainText("Status 403");

    await form.getByLabel("Authentication Type").selectOption({ label: "OAuth 2.0" });
    await form.getByLabel("Token URL", { exact: true }).fill(`${receiver.url}/token`);
    await form.getByLabel("Client ID", { exact: true }).fill("unknown-client");
    await form.getByLabel("Client Secret", { exact: true }).fill("nope");
    await runTest(form);
    await expect(result(form)).toContainText("OAuth token request failed: check the Token URL and Grant Type");
    await expect(result(form)).toContainText("Failed");
    await expect(result(form)).toContainText("invalid_client");
    expect(receiver.hits.some((h) => pathOf(h) === "/token")).toBe(true);

    // The last test failed: Save asks, and says why.
    await form.getByRole("button", { name: "Save", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: UNTESTED_DIALOG });
    await expect(dialog).toContainText("Its last test failed: OAuth token request failed");
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });
});
