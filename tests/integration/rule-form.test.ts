import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRuleAction, updateRuleAction } from "@/app/(admin)/rules/actions";
import { resetEnvCache } from "@/lib/core/env";
import { NotFoundError } from "@/lib/core/errors";
import { getReferenceLists, type ReferenceLists } from "@/lib/reference/queries";
import { decryptAuthConfig } from "@/lib/delivery/transport/auth/credentials";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { emptyAuthForm } from "@/lib/rules/form/credentials";
import { emptyRuleInput, RULE_MESSAGES, type RuleInput } from "@/lib/rules/form/rule";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

const prisma = useTestDatabase();

let acme: Awaited<ReturnType<typeof createTestOrg>>;
let other: Awaited<ReturnType<typeof createTestOrg>>;
let refs: ReferenceLists;
let otherRefs: ReferenceLists;

beforeAll(async () => {
  acme = await createTestOrg(prisma(), "Acme");
  other = await createTestOrg(prisma(), "Other");
  refs = await getReferenceLists(prisma(), acme.org.id);
  otherRefs = await getReferenceLists(prisma(), other.org.id);
});

afterEach(() => {
  delete process.env.ALLOW_INSECURE_URLS;
  delete process.env.ALLOWED_PRIVATE_NETWORKS;
  resetEnvCache();
});

function statusWithSubstatuses(lists: ReferenceLists) {
  const status = lists.statuses.find((s) => s.substatuses.length > 0);
  if (!status) throw new Error("fixture: no status with substatuses");
  return status;
}

function input(overrides: Partial<RuleInput> = {}): RuleInput {
  return { ...emptyRuleInput(), title: "Send to CRM", url: "https://crm.example.com/hooks", ...overrides };
}

async function createAsAdmin(overrides: Partial<RuleInput> = {}): Promise<string> {
  await signInAs(prisma(), acme.admin.id);
  const res = await createRuleAction(input(overrides));
  if (!res.ok) throw new Error(`create failed: ${res.error} ${JSON.stringify(res.fieldErrors)}`);
  return res.data.id;
}

async function ruleCount(): Promise<number> {
  return prisma().webhookRule.count();
}

describe("createRuleAction", () => {
  it("stores every field: trigger as events, creation rule FKs, case types, delivery settings", async () => {
    const status = statusWithSubstatuses(refs);
    const caseTypes = [refs.caseTypes[0]!.id, refs.caseTypes[2]!.id];
    const id = await createAsAdmin({
      title: "  Intake to CRM  ",
      enabled: false,
      events: ["lead.status_changed"],
      statusId: status.id,
      substatusId: status.substatuses[0]!.id,
      caseTypeIds: caseTypes,
      officeId: refs.offices[1]!.id,
      opportunitySourceId: refs.opportunitySources[0]!.id,
      marketingSourceId: refs.marketingSources[2]!.id,
      requiresCaseTrackerCode: true,
      timeoutMs: 15000,
      signatureScheme: "HMAC_HEX",
    });
    const rule = await prisma().webhookRule.findUniqueOrThrow({ where: { id }, include: { caseTypes: true } });
    expect(rule).toMatchObject({
      organizationId: acme.org.id,
      title: "Intake to CRM",
      enabled: false,
      url: "https://crm.example.com/hooks",
      events: ["lead.status_changed"],
      statusId: status.id,
      substatusId: status.substatuses[0]!.id,
      officeId: refs.offices[1]!.id,
      opportunitySourceId: refs.opportunitySources[0]!.id,
      marketingSourceId: refs.marketingSources[2]!.id,
      requiresCaseTrackerCode: true,
      timeoutMs: 15000,
      signatureScheme: "HMAC_HEX",
      authType: "NONE",
    });
    expect(rule.caseTypes.map((c) => c.caseTypeId).sort()).toEqual([...caseTypes].sort());

    const forEdit = await getRuleForEdit(prisma(), acme.org.id, id);
    expect(forEdit.values).toMatchObject({ events: ["lead.status_changed"], statusId: status.id, officeId: refs.offices[1]!.id, requiresCaseTrackerCode: true, timeoutMs: 15000 });
    expect([...forEdit.values.caseTypeIds].sort()).toEqual([...caseTypes].sort());
  });

  it("stores the retry policy the engine reads, and hands it back to the form", async () => {
    const id = await createAsAdmin({ retryDelays: "0, 15, 90", retryOn4xx: true });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id } })).retryPolicy).toEqual({ kind: "schedule", delaysSeconds: [0, 15, 90], retryOn4xx: true });
    expect((await getRuleForEdit(prisma(), acme.org.id, id)).values).toMatchObject({ retryKind: "schedule", retryDelays: "0, 15, 90", retryOn4xx: true });
    const res = await updateRuleAction({ ruleId: id, values: input({ retryKind: "exponential", retryBaseSeconds: 20, retryMaxAttempts: 3, retryMaxDelaySeconds: 60 }) });
    expect(res.ok).toBe(true);
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id } })).retryPolicy).toEqual({ kind: "exponential", baseSeconds: 20, maxAttempts: 3, maxDelaySeconds: 60, retryOn4xx: false });
    const bad = await updateRuleAction({ ruleId: id, values: input({ retryKind: "schedule", retryDelays: "soon" }) });
    expect(bad.ok === false && bad.fieldErrors?.retryDelays).toBeTruthy();
  });

  it("drops creation rules for a trigger that has none", async () => {
    const id = await createAsAdmin({ events: ["lead.deleted"], officeId: refs.offices[0]!.id, caseTypeIds: [refs.caseTypes[0]!.id], requiresCaseTrackerCode: true });
    const rule = await prisma().webhookRule.findUniqueOrThrow({ where: { id }, include: { caseTypes: true } });
    expect(rule).toMatchObject({ events: ["lead.deleted"], officeId: null, requiresCaseTrackerCode: false });
    expect(rule.caseTypes).toEqual([]);
  });

  it("refuses invalid input with field errors and saves nothing", async () => {
    await signInAs(prisma(), acme.admin.id);
    const before = await ruleCount();
    const res = await createRuleAction(input({ title: " ", url: "not a url", timeoutMs: 50, substatusId: statusWithSubstatuses(refs).substatuses[0]!.id }));
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.code).toBe("invalid");
    expect(res.fieldErrors).toMatchObject({
      title: [RULE_MESSAGES.titleRequired],
      url: [RULE_MESSAGES.urlWhitespace],
      timeoutMs: [RULE_MESSAGES.timeoutRange],
      substatusId: [RULE_MESSAGES.substatusWithoutStatus],
    });
    expect(await ruleCount()).toBe(before);
  });

  it("refuses http:// unless ALLOW_INSECURE_URLS is set", async () => {
    await signInAs(prisma(), acme.admin.id);
    const before = await ruleCount();
    const refused = await createRuleAction(input({ url: "http://localhost:4000/hook" }));
    expect(refused).toMatchObject({ ok: false, code: "invalid", fieldErrors: { url: [RULE_MESSAGES.urlHttpsRequired] } });
    expect(await ruleCount()).toBe(before);

    expect(RULE_MESSAGES.urlHttpsRequired).toContain("ALLOW_INSECURE_URLS=true");

    process.env.ALLOW_INSECURE_URLS = "true";
    process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8"; // localhost is loopback: refused unless allowed
    resetEnvCache();
    const allowed = await createRuleAction(input({ url: "http://localhost:4000/hook" }));
    expect(allowed.ok).toBe(true);
    if (!allowed.ok) return;
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id: allowed.data.id } })).url).toBe("http://localhost:4000/hook");

    // Credentials stay refused even when http is allowed.
    const creds = await createRuleAction(input({ url: "http://user:secret@localhost:4000/hook" }));
    expect(creds).toMatchObject({ ok: false, code: "invalid", fieldErrors: { url: [RULE_MESSAGES.urlCredentials] } });
  });

  it("refuses reference items of another organization or of the wrong kind, with a field error on that field", async () => {
    await signInAs(prisma(), acme.admin.id);
    const before = await ruleCount();
    const cases: [Partial<RuleInput>, string][] = [
      [{ statusId: otherRefs.statuses[0]!.id }, "statusId"],
      [{ officeId: otherRefs.offices[0]!.id }, "officeId"],
      [{ opportunitySourceId: otherRefs.opportunitySources[0]!.id }, "opportunitySourceId"],
      [{ marketingSourceId: otherRefs.marketingSources[0]!.id }, "marketingSourceId"],
      [{ caseTypeIds: [refs.caseTypes[0]!.id, otherRefs.caseTypes[0]!.id] }, "caseTypeIds"],
      [{ officeId: refs.marketingSources[0]!.id }, "officeId"],
      [{ caseTypeIds: [refs.offices[0]!.id] }, "caseTypeIds"],
      [{ statusId: "ref_doesnotexist" }, "statusId"],
    ];
    for (const [overrides, field] of cases) {
      const res = await createRuleAction(input(overrides));
      expect(res.ok, field).toBe(false);
      if (res.ok) continue;
      expect(Object.keys(res.fieldErrors ?? {}), field).toEqual([field]);
    }
    expect(await ruleCount()).toBe(before);
  });

  it("refuses a substatus that belongs to another status", async () => {
    await signInAs(prisma(), acme.admin.id);
    const withSubs = refs.statuses.filter((s) => s.substatuses.length > 0);
    const res = await createRuleAction(input({ statusId: withSubs[0]!.id, substatusId: withSubs[1]!.substatuses[0]!.id }));
    expect(res).toMatchObject({ ok: false, fieldErrors: { substatusId: ["Choose a substatus of the selected lead status."] } });
    const otherOrgs = await createRuleAction(input({ statusId: withSubs[0]!.id, substatusId: statusWithSubstatuses(otherRefs).substatuses[0]!.id }));
    expect(otherOrgs).toMatchObject({ ok: false, fieldErrors: { substatusId: ["Choose a substatus from the list."] } });
  });

  it("refuses viewers and signed-out callers", async () => {
    const before = await ruleCount();
    await signInAs(prisma(), acme.viewer.id);
    expect(await createRuleAction(input())).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), null);
    expect(await createRuleAction(input())).toMatchObject({ ok: false, code: "unauthenticated" });
    expect(await ruleCount()).toBe(before);
  });

  it("stores markup in the title verbatim", async () => {
    const id = await createAsAdmin({ title: "<script>alert(1)</script>" });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id } })).title).toBe("<script>alert(1)</script>");
  });
});

describe("updateRuleAction", () => {
  it("updates every field, replaces case types and keeps a stored secret the form left blank", async () => {
    const id = await createAsAdmin({
      caseTypeIds: [refs.caseTypes[0]!.id, refs.caseTypes[1]!.id],
      officeId: refs.offices[0]!.id,
      auth: { ...emptyAuthForm(), type: "BEARER", prefix: "Bearer", token: "t0ken" },
    });
    const edit = await getRuleForEdit(prisma(), acme.org.id, id);
    expect(edit.values.auth).toMatchObject({ type: "BEARER", token: "" });

    const res = await updateRuleAction({
      ruleId: id,
      values: {
        ...edit.values,
        title: "Renamed", url: "https://new.example.com/h", events: ["lead.note_added", "lead.converted"], caseTypeIds: [refs.caseTypes[1]!.id, refs.caseTypes[3]!.id], officeId: "", timeoutMs: 2000,
        headers: [{ name: "X-Team", value: "intake" }],
      },
    });
    expect(res).toEqual({ ok: true, data: { id } });
    const rule = await prisma().webhookRule.findUniqueOrThrow({ where: { id }, include: { caseTypes: true } });
    expect(rule).toMatchObject({ title: "Renamed", url: "https://new.example.com/h", events: ["lead.note_added", "lead.converted"], officeId: null, timeoutMs: 2000, authType: "BEARER", headers: [{ name: "X-Team", value: "intake" }] });
    expect(decryptAuthConfig(rule.authType, rule.authConfigEncrypted)).toEqual({ type: "BEARER", prefix: "Bearer", token: "t0ken" });
    expect(rule.caseTypes.map((c) => c.caseTypeId).sort()).toEqual([refs.caseTypes[1]!.id, refs.caseTypes[3]!.id].sort());

    const cleared = await updateRuleAction({ ruleId: id, values: input({ title: "Renamed", caseTypeIds: [] }) });
    expect(cleared.ok).toBe(true);
    expect(await prisma().ruleCaseType.count({ where: { ruleId: id } })).toBe(0);
    // Switching to no authentication drops the stored credentials.
    expect(await prisma().webhookRule.findUniqueOrThrow({ where: { id } })).toMatchObject({ authType: "NONE", authConfigEncrypted: null });
  });

  it("maps field errors back onto the form's field names and changes nothing", async () => {
    const id = await createAsAdmin({ title: "Unchanged" });
    const res = await updateRuleAction({ ruleId: id, values: input({ title: "" }) });
    expect(res).toMatchObject({ ok: false, code: "invalid", fieldErrors: { title: [RULE_MESSAGES.titleRequired] } });
    const refused = await updateRuleAction({ ruleId: id, values: input({ title: "Changed", officeId: otherRefs.offices[0]!.id }) });
    expect(refused).toMatchObject({ ok: false, fieldErrors: { officeId: ["Choose an office from the list."] } });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id } })).title).toBe("Unchanged");
  });

  it("answers not_found for another organization's rule and leaves it untouched", async () => {
    await signInAs(prisma(), other.admin.id);
    const res = await createRuleAction(input({ title: "Theirs", caseTypeIds: [otherRefs.caseTypes[0]!.id] }));
    if (!res.ok) throw new Error(res.error);
    const theirs = res.data.id;

    await signInAs(prisma(), acme.admin.id);
    expect(await updateRuleAction({ ruleId: theirs, values: input({ title: "Hijacked" }) })).toMatchObject({ ok: false, code: "not_found" });
    expect(await updateRuleAction({ ruleId: "rule_unknown", values: input() })).toMatchObject({ ok: false, code: "not_found" });
    const rule = await prisma().webhookRule.findUniqueOrThrow({ where: { id: theirs }, include: { caseTypes: true } });
    expect(rule.title).toBe("Theirs");
    expect(rule.caseTypes).toHaveLength(1);

    await expect(getRuleForEdit(prisma(), acme.org.id, theirs)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getRuleForEdit(prisma(), acme.org.id, "rule_unknown")).rejects.toBeInstanceOf(NotFoundError);
    expect((await getRuleForEdit(prisma(), other.org.id, theirs)).title).toBe("Theirs");
  });

  it("refuses viewers and signed-out callers", async () => {
    const id = await createAsAdmin({ title: "Keep" });
    await signInAs(prisma(), acme.viewer.id);
    expect(await updateRuleAction({ ruleId: id, values: input({ title: "Viewer edit" }) })).toMatchObject({ ok: false, code: "forbidden" });
    await signInAs(prisma(), null);
    expect(await updateRuleAction({ ruleId: id, values: input({ title: "Anon edit" }) })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect((await prisma().webhookRule.findUniqueOrThrow({ where: { id } })).title).toBe("Keep");
  });
});
