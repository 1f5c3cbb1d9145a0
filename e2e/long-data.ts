import type { Page } from "@playwright/test";
import { API_KEYS } from "./accounts";
import { expect, signInAs, test } from "./fixtures";
import { useReceiver, type SpecReceiver } from "./receiver";
import { enableWebhooks, uniqueTag } from "./rule-helpers";

// Realistic long values for the layout and accessibility specs: a rule with a long title and a long
// URL without a break opportunity, a lead with a long email and long names, and a failed delivery
// whose error is long. Seeded through the REST API (Acme's key) and the receiver, as a customer's
// integration would; each value carries the spec's tag so the lists can be filtered to it.

const LEAD_MATCH = { status: "Contacted", substatus: "Awaiting Documents", caseType: "Premises Liability", opportunitySource: "Live Chat", marketingSource: "TV" };
const { caseType, ...MATCH_REST } = LEAD_MATCH;
const MATCH = { ...MATCH_REST, caseTypes: [caseType] };

export interface LongData {
  tag: string;
  ruleId: string;
  ruleTitle: string;
  ruleUrl: string;
  leadId: string;
  leadEmail: string;
  leadName: string;
}

/** A receiver answer for the seeded rule: 400 with a long explanation the first time, then 200. */
function failOnceWithLongError(_hit: unknown, n: number) {
  return n === 1
    ? {
        status: 400,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ error: `Validation failed for field intake_questionnaire_response_${"x".repeat(160)}: value rejected by the upstream case-management system` }),
      }
    : { status: 200, headers: { "content-type": "application/json" }, body: '{"received":true}' };
}

async function seedLongData(page: Page, receiver: SpecReceiver): Promise<LongData> {
  const tag = uniqueTag();
  const auth = { Authorization: `Bearer ${API_KEYS.acme}` };
  await enableWebhooks(page);

  const ruleTitle = `Layout ${tag}: forward every personal-injury lead from the evening television campaign to the regional intake coordinators' CRM pipeline`;
  // One unbroken token, as real endpoints with long ids and signed query strings look.
  const ruleUrl = `${receiver.url}/hooks/catch/${tag}/integrations/${"a1b2c3d4e5".repeat(8)}/leads?source=leadhooks&signature=${"f0e1d2c3b4".repeat(6)}`;
  const rule = await page.request.post("/api/v1/webhooks", {
    headers: auth,
    data: {
      title: ruleTitle,
      url: ruleUrl,
      events: ["lead.created"],
      // Only this spec's lead: other specs create leads in the same organization at the same time,
      // each with its own combination of reference values (this one is used by no other spec).
      creationRules: { ...MATCH, requiresCaseTrackerCode: true },
      request: { conditions: { match: "all", items: [{ field: "lead.caseTrackerCode", op: "equals", value: `CT-${tag}` }] } },
    },
  });
  expect(rule.status(), await rule.text()).toBe(201);
  const ruleId = ((await rule.json()) as { id: string }).id;

  const leadEmail = `maximilian.alexander.featherstonehaugh-${tag}@intake.personal-injury.regional-offices.example-law-firm.test`;
  const firstName = "Maximilian-Alexander";
  const lastName = `Featherstonehaugh-Montgomery-Worthington ${tag}`;
  const lead = await page.request.post("/api/v1/leads", {
    headers: auth,
    data: { email: leadEmail, firstName, lastName, phone: "+15550109999", ...LEAD_MATCH, caseTrackerCode: `CT-${tag}` },
  });
  expect(lead.status(), await lead.text()).toBe(201);
  const leadId = ((await lead.json()) as { id: string }).id;

  // The server dispatches right after the event; the receiver's 400 fails the delivery for good.
  await expect
    .poll(() => receiver.hits.length, { timeout: 20_000, message: "the receiver got the delivery (the e2e server needs ALLOWED_PRIVATE_NETWORKS=127.0.0.0/8)" })
    .toBeGreaterThanOrEqual(1);
  return { tag, ruleId, ruleTitle, ruleUrl, leadId, leadEmail, leadName: `${firstName} ${lastName}` };
}

/**
 * For a spec: a receiver that fails the seeded rule's first delivery, and the long data, seeded
 * once per worker (beforeAll; a worker that restarts after a failure seeds its own). `data` is
 * filled in before the first test runs.
 */
export function useLongData(): { data: LongData; receiver: SpecReceiver } {
  const receiver = useReceiver(failOnceWithLongError);
  const data = {} as LongData;
  test.beforeAll(async ({ browser }) => {
    // Several page loads, two API calls and a delivery: more than one test's worth on a busy machine.
    test.setTimeout(120_000);
    const page = await browser.newPage({ baseURL: test.info().project.use.baseURL });
    await signInAs(page, "acmeAdmin");
    Object.assign(data, await seedLongData(page, receiver));
    await page.close();
  });
  return { data, receiver };
}

/** The document's scroll and visible widths: the page scrolls sideways when the first is larger (a table scrolling inside its card does not count). */
export async function pageWidths(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth }));
}
