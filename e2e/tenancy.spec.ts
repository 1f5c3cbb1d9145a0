import type { Browser } from "@playwright/test";
import { expect, signInAs, test, type AccountKey } from "./fixtures";
import { createRuleViaApi, downloadRulesExport, listedTitles, open, openRules, rulesTable, uniqueTag } from "./rule-helpers";

// One organization cannot see another's rules: not by id, not in the list, not in the export.
// Each organization's admin works in a browser context of their own (separate cookies).

async function signedInPage(browser: Browser, who: AccountKey) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, who);
  return page;
}

test("an admin of another organization cannot open, list or export Acme's rules", async ({ browser }, testInfo) => {
  // About 40 browser actions in two contexts: at a load average of 20 on 2 cores each took 2-6 s
  // (no single wait hung) and the whole test overran 90 s. Triple the limit for this one.
  test.slow();
  const tag = uniqueTag();
  const acmeTitle = `Acme private rule ${tag}`;
  const globexTitle = `Globex own rule ${tag}`;

  const acme = await signedInPage(browser, "acmeAdmin");
  const globex = await signedInPage(browser, "globexAdmin");
  try {
    // Each organization's rule through the Webhooks API with its own key: the subject here is who
    // sees them, not the rule form.
    const acmeRuleId = await createRuleViaApi(acme.request, "acme", { title: acmeTitle, url: `https://acme.example.com/${tag}` });
    // Globex has a rule under the same tag, so "nothing listed" below is not an empty list by accident.
    await createRuleViaApi(globex.request, "globex", { title: globexTitle, url: `https://globex.example.com/${tag}` });

    // Acme's own admin opens it.
    await open(acme, `/rules/${acmeRuleId}`);
    await expect(acme.getByRole("form", { name: "Edit Webhook Rule" }).getByLabel("Title", { exact: true })).toHaveValue(acmeTitle);

    // Globex gets the plain 404, the same page as for an id that never existed.
    const res = await open(globex, `/rules/${acmeRuleId}`);
    expect(res?.status()).toBe(404);
    await expect(globex.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(globex.getByLabel("Title", { exact: true })).toHaveCount(0);
    const body = await globex.content();
    expect(body).not.toContain(acmeTitle);
    expect(body).not.toContain(`acme.example.com/${tag}`);

    const missing = await open(globex, `/rules/rule_${tag}doesnotexist`);
    expect(missing?.status()).toBe(404);
    await expect(globex.getByRole("heading", { name: "Page not found" })).toBeVisible();

    // The list, filtered by the shared tag and unfiltered: only Globex's rule.
    await openRules(globex, tag);
    await expect.poll(() => listedTitles(globex)).toEqual([globexTitle]);
    await open(globex, "/rules?size=100");
    await expect(rulesTable(globex).getByRole("cell", { name: globexTitle, exact: true })).toBeVisible();
    await expect(globex.getByText(acmeTitle)).toHaveCount(0);

    // The export, whole: Globex's rule is there, Acme's is not.
    const rows = await downloadRulesExport(globex, testInfo);
    const titles = rows.slice(1).map((r) => r[1]);
    expect(titles).toContain(globexTitle);
    expect(titles).not.toContain(acmeTitle);
    expect(rows.flat().some((cell) => cell.includes(`acme.example.com/${tag}`))).toBe(false);

    // And the other way round: Acme's export does not carry Globex's rule.
    await openRules(acme, tag);
    const acmeRows = await downloadRulesExport(acme, testInfo);
    expect(acmeRows.slice(1).map((r) => r[1])).toEqual([acmeTitle]);
  } finally {
    await acme.context().close();
    await globex.context().close();
  }
});
