import { beforeAll, describe, expect, it } from "vitest";
import { retryFailedAction } from "@/app/(admin)/deliveries/actions";
import { replayDeliveriesAction } from "@/app/(admin)/deliveries/replay-actions";
import { addNoteAction, createLeadAction, updateLeadAction } from "@/app/(admin)/leads/actions";
import { createRuleAction } from "@/app/(admin)/rules/actions";
import { updateOrganizationAction } from "@/app/(admin)/settings/actions";
import { addReferenceItemAction } from "@/app/(admin)/settings/reference-actions";
import { setupAction } from "@/app/(auth)/setup/actions";
import { getDelivery, listDeliveries } from "@/lib/delivery/log/queries";
import { parseDeliveryListParams } from "@/lib/delivery/log/list-params";
import { resetEnvCache } from "@/lib/core/env";
import { NotFoundError } from "@/lib/core/errors";
import { listLeads } from "@/lib/leads/list";
import { getLead } from "@/lib/leads/mutations";
import { listRules } from "@/lib/rules/list";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { emptyRuleInput } from "@/lib/rules/form/rule";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

// The admin side of "input the database cannot hold": every server action refuses NUL, lone
// surrogates and out-of-range dates with a field error (one check in the action wrapper), and
// list pages and detail pages never fail on such a URL.

process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
let org: Awaited<ReturnType<typeof createTestOrg>>;
let leadId: string;

beforeAll(async () => {
  org = await createTestOrg(prisma(), "Admin Limits");
  await signInAs(prisma(), org.admin.id);
  const res = await createLeadAction({ email: "base@example.test" });
  if (!res.ok) throw new Error(res.error);
  leadId = res.data.leadId;
});

type Failure = { ok: false; code: string; fieldErrors?: Record<string, string[]> };

function refused(res: unknown, field: string, message: RegExp) {
  expect(res, JSON.stringify(res)).toMatchObject({ ok: false, code: "invalid" });
  const errors = (res as Failure).fieldErrors ?? {};
  expect(Object.keys(errors), JSON.stringify(res)).toContain(field);
  expect(errors[field]!.join(" ")).toMatch(message);
}

describe("server actions refuse what the database cannot hold, naming the field", () => {
  it("lead form, notes: NUL and lone surrogates in plain and JSON-stored fields", async () => {
    const before = await prisma().lead.count();
    refused(await createLeadAction({ email: "n@example.test", firstName: "Ja\u0000ne" }), "firstName", /NUL/);
    refused(await createLeadAction({ email: "n@example.test", customFields: { note: "\ud800" } }), "customFields.note", /surrogate/);
    refused(await createLeadAction({ email: "n@example.test", lastName: "x\udfffy" }), "lastName", /surrogate/);
    refused(await updateLeadAction({ leadId, values: { firstName: "\u0000" } }), "firstName", /NUL/);
    refused(await updateLeadAction({ leadId: "lead_\u0000", values: { firstName: "x" } }), "leadId", /NUL/);
    refused(await addNoteAction({ leadId, body: "hello \u0000" }), "body", /NUL/);
    expect(await prisma().lead.count()).toBe(before);
    expect((await prisma().lead.findUniqueOrThrow({ where: { id: leadId } })).firstName).toBeNull();
  });

  it("rule form, settings and reference lists", async () => {
    refused(await createRuleAction({ ...emptyRuleInput(), title: "CRM\u0000", url: "http://127.0.0.1:9/x" }), "title", /NUL/);
    refused(await updateOrganizationAction({ name: "Acme \ud800", webhooksEnabled: "yes" }), "name", /surrogate/);
    refused(await addReferenceItemAction({ kind: "OFFICE", name: "Down\u0000town" }), "name", /NUL/);
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: org.org.id } })).name).toBe("Admin Limits");
    expect(await prisma().webhookRule.count({ where: { organizationId: org.org.id } })).toBe(0);
  });

  it("replay and retry-failed: a year-0000 date is refused, the ends of 0001–9999 work", async () => {
    refused(await replayDeliveriesAction({ ruleId: "", from: "0000-01-01T00:00", to: "2026-01-01T00:00", includeSucceeded: false }), "from", /0001/);
    refused(await replayDeliveriesAction({ ruleId: "", from: "2026-01-01", to: "9999-12-31T23:30:00-01:00", includeSucceeded: false }), "to", /0001/);
    expect(await replayDeliveriesAction({ ruleId: "", from: "0001-01-01", to: "9999-12-31", includeSucceeded: false })).toEqual({ ok: true, data: { count: 0 } });
    refused(await retryFailedAction({ from: "0000-12-31", q: "" }), "from", /0001/);
    refused(await retryFailedAction({ q: "\u0000" }), "q", /NUL/);
    expect(await retryFailedAction({ from: "0001-01-01", to: "9999-12-31", q: "" })).toEqual({ ok: true, data: { count: 0 } });
  });

  it("the setup form (no session) refuses them too", async () => {
    await signInAs(prisma(), null);
    const res = await setupAction({ organizationName: "Org\u0000", name: "", email: "first@example.test", password: "password123" });
    refused(res, "organizationName", /NUL/);
    await signInAs(prisma(), org.admin.id);
  });
});

describe("admin pages' URLs", () => {
  it("the deliveries page ignores date filters outside 0001–9999 instead of failing", async () => {
    for (const from of ["0000-01-01", "0000-06-15T10:00", "0001-01-01T00:30:00+01:00", "+275760-09-13", "2026-02-30"]) {
      const p = parseDeliveryListParams({ from, to: "9999-12-31T23:30:00-01:00" });
      expect(p.from, from).toBeUndefined();
      expect(p.to).toBeUndefined();
      await expect(listDeliveries(prisma(), org.org.id, { from, to: "0000-01-01" })).resolves.toMatchObject({ total: 0 });
    }
    // The last day a date filter can name still lists (its end is the last storable instant).
    await expect(listDeliveries(prisma(), org.org.id, { from: "0001-01-01", to: "9999-12-31" })).resolves.toMatchObject({ total: 0 });
  });

  it("list searches and filters holding NUL or a lone surrogate are ignored, not a 500", async () => {
    await expect(listLeads(prisma(), org.org.id, { q: "\u0000" })).resolves.toMatchObject({ total: 1 });
    await expect(listLeads(prisma(), org.org.id, { q: "\ud800" })).resolves.toMatchObject({ total: 1 });
    await expect(listRules(prisma(), org.org.id, { q: "a\u0000" })).resolves.toBeDefined();
    await expect(listDeliveries(prisma(), org.org.id, { q: "\u0000", ruleId: "rule_\u0000" })).resolves.toMatchObject({ total: 0 });
  });

  it("a detail page's id holding NUL is not found (404), not a database error", async () => {
    await expect(getLead(prisma(), org.org.id, "\u0000")).rejects.toBeInstanceOf(NotFoundError);
    await expect(getRuleForEdit(prisma(), org.org.id, "rule_\u0000")).rejects.toBeInstanceOf(NotFoundError);
    await expect(getDelivery(prisma(), org.org.id, "\u0000")).rejects.toBeInstanceOf(NotFoundError);
  });
});
