import { sql } from "@/lib/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addNoteAction, createLeadAction, updateLeadAction } from "@/app/(admin)/leads/actions";
import { createApiKeyAction, revokeApiKeyAction } from "@/app/(admin)/settings/api-key-actions";
import { authenticateApiKey, listApiKeys } from "@/lib/api/keys";
import { runDispatcher } from "@/lib/delivery/engine/runtime";
import { resetEnvCache } from "@/lib/core/env";
import { newId } from "@/lib/core/ids";
import { listLeadEvents } from "@/lib/leads/history";
import { listLeads } from "@/lib/leads/list";
import { createLead } from "@/lib/leads/mutations";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { startReceiver } from "../helpers/receiver";
import { signInAs } from "../helpers/session";

// The kicked dispatcher really sends: to a receiver on loopback, allowed for this file.
process.env.ALLOWED_PRIVATE_NETWORKS = "127.0.0.0/8";
process.env.ALLOW_INSECURE_URLS = "true";
resetEnvCache();

const prisma = useTestDatabase();
type Org = Awaited<ReturnType<typeof createTestOrg>>;
let acme: Org;
let other: Org;
let rx: Awaited<ReturnType<typeof startReceiver>>;
let otherLeadId: string;

const asAdmin = () => signInAs(prisma(), acme.admin.id);
const asViewer = () => signInAs(prisma(), acme.viewer.id);
const signedOut = () => signInAs(prisma(), null);

async function refId(org: Org, kind: "LEAD_STATUS" | "OFFICE", name: string) {
  return (await prisma().referenceItem.findFirstOrThrow({ where: { organizationId: org.org.id, kind, name } })).id;
}

function rule(org: Org, title: string, data: { events: string[]; enabled?: boolean; statusId?: string; officeId?: string }) {
  return prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.org.id, title, url: `${rx.url}/${title}`, ...data } });
}

beforeAll(async () => {
  rx = await startReceiver();
  acme = await createTestOrg(prisma(), "Acme");
  other = await createTestOrg(prisma(), "Other");
  await prisma().organization.updateMany({ data: { webhooksEnabled: true } });
  // Fires for every lead event of Downtown leads; the others must not fire.
  const downtown = await refId(acme, "OFFICE", "Downtown");
  await rule(acme, "crm", { events: ["lead.created", "lead.updated", "lead.status_changed", "lead.note_added"], officeId: downtown });
  await rule(acme, "other-office", { events: ["lead.created"], officeId: await refId(acme, "OFFICE", "North Branch") });
  await rule(acme, "disabled", { events: ["lead.created"], enabled: false });
  otherLeadId = (await createLead(await sql(), other.org.id, { email: "secret@other.test", firstName: "Other" })).lead.id;
});

afterAll(async () => {
  await runDispatcher(); // let a kicked dispatch finish before the database closes
  await rx.close();
});

describe("lead actions", () => {
  let leadId: string;

  it("an admin creates a lead: row, lead.created event and a delivery for the matching rule only", async () => {
    await asAdmin();
    const res = await createLeadAction({ email: " Jane@Example.TEST ", firstName: "Jane", lastName: "Doe", status: "new", office: "downtown", score: 7, customFields: { source_id: 42 } });
    expect(res).toMatchObject({ ok: true, data: { deliveries: 1 } });
    if (!res.ok) return;
    leadId = res.data.leadId;
    const lead = await prisma().lead.findUniqueOrThrow({ where: { id: leadId } });
    // Reference names are stored in the list's spelling, so creation rules match.
    expect(lead).toMatchObject({ organizationId: acme.org.id, email: "jane@example.test", status: "New", office: "Downtown", score: 7, customFields: { source_id: 42 } });
    const events = await prisma().event.findMany({ where: { leadId }, include: { deliveries: { include: { rule: true } } } });
    expect(events.map((e) => e.type)).toEqual(["lead.created"]);
    expect(events[0]!.deliveries.map((d) => d.rule.title)).toEqual(["crm"]);
  });

  it("invalid input is refused with field errors and creates nothing", async () => {
    await asAdmin();
    const before = await prisma().lead.count();
    const res = await createLeadAction({ email: "not-an-email", score: 1.5 });
    expect(res).toMatchObject({ ok: false, code: "invalid" });
    if (!res.ok) expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual(["email", "score"]);
    expect(await createLeadAction({ firstName: "No contact" })).toMatchObject({ ok: false, code: "invalid", fieldErrors: { email: ["A lead needs an email or a phone number."] } });
    expect(await prisma().lead.count()).toBe(before);
  });

  it("an unknown status name is a field error", async () => {
    await asAdmin();
    const res = await createLeadAction({ email: "x@example.test", status: "Imaginary" });
    expect(res).toMatchObject({ ok: false, code: "conflict" });
    if (!res.ok) expect(res.fieldErrors?.status?.[0]).toMatch(/Unknown status "Imaginary"/);
    expect(await prisma().lead.count({ where: { email: "x@example.test" } })).toBe(0);
  });

  it("an edit that changes the status fires lead.updated and lead.status_changed, each delivered", async () => {
    await asAdmin();
    const res = await updateLeadAction({ leadId, values: { status: "Contacted", substatus: "Left Voicemail", phone: "+1 555 0100" } });
    expect(res).toMatchObject({ ok: true, data: { leadId, deliveries: 2, changed: 3 } });
    expect(await prisma().lead.findUniqueOrThrow({ where: { id: leadId } })).toMatchObject({ status: "Contacted", substatus: "Left Voicemail", phone: "+1 555 0100" });
    const types = (await listLeadEvents(prisma(), acme.org.id, leadId)).map((e) => e.type).sort();
    expect(types).toEqual(["lead.created", "lead.status_changed", "lead.updated"]);
    expect(await prisma().delivery.count({ where: { leadId } })).toBe(3);
  });

  it("edit errors come back under the form's field names", async () => {
    await asAdmin();
    expect(await updateLeadAction({ leadId, values: { email: "bad" } })).toMatchObject({ ok: false, code: "invalid", fieldErrors: { email: ["Enter a valid email address."] } });
    const res = await updateLeadAction({ leadId, values: { substatus: "Retainer Signed" } });
    expect(res).toMatchObject({ ok: false, code: "conflict" });
    if (!res.ok) expect(res.fieldErrors?.substatus?.[0]).toMatch(/Unknown substatus/);
  });

  it("a note is stored with its author and fires lead.note_added", async () => {
    await asAdmin();
    expect(await addNoteAction({ leadId, body: "  " })).toMatchObject({ ok: false, code: "invalid", fieldErrors: { body: ["Write the note."] } });
    const res = await addNoteAction({ leadId, body: "Called, left a voicemail." });
    expect(res).toMatchObject({ ok: true, data: { leadId, deliveries: 1 } });
    const notes = await prisma().leadNote.findMany({ where: { leadId } });
    expect(notes).toEqual([expect.objectContaining({ body: "Called, left a voicemail.", author: acme.admin.email })]);
    expect(await prisma().event.count({ where: { leadId, type: "lead.note_added" } })).toBe(1);
  });

  it("viewers and signed-out callers change nothing", async () => {
    const before = await prisma().lead.findUniqueOrThrow({ where: { id: leadId } });
    const events = await prisma().event.count();
    for (const [as, code] of [[asViewer, "forbidden"], [signedOut, "unauthenticated"]] as const) {
      await as();
      expect(await createLeadAction({ email: "sneaky@example.test" })).toMatchObject({ ok: false, code });
      expect(await updateLeadAction({ leadId, values: { firstName: "Hacked" } })).toMatchObject({ ok: false, code });
      expect(await addNoteAction({ leadId, body: "hi" })).toMatchObject({ ok: false, code });
    }
    expect(await prisma().lead.findUniqueOrThrow({ where: { id: leadId } })).toEqual(before);
    expect(await prisma().event.count()).toBe(events);
    expect(await prisma().lead.count({ where: { email: "sneaky@example.test" } })).toBe(0);
  });

  it("another organization's lead is not found and stays unchanged", async () => {
    await asAdmin();
    expect(await updateLeadAction({ leadId: otherLeadId, values: { firstName: "Hacked" } })).toMatchObject({ ok: false, code: "not_found" });
    expect(await addNoteAction({ leadId: otherLeadId, body: "hi" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await prisma().lead.findUniqueOrThrow({ where: { id: otherLeadId } })).toMatchObject({ firstName: "Other" });
    expect(await prisma().leadNote.count({ where: { leadId: otherLeadId } })).toBe(0);
    expect(await prisma().event.count({ where: { leadId: otherLeadId } })).toBe(1);
  });

  it("the dispatcher delivers what the actions queued", async () => {
    await runDispatcher();
    const states = await prisma().delivery.findMany({ where: { leadId }, select: { state: true, lastStatusCode: true } });
    expect(states).toHaveLength(4);
    expect(states.every((s) => s.state === "SUCCEEDED" && s.lastStatusCode === 200)).toBe(true);
    expect(rx.received.filter((r) => r.path === "/crm")).toHaveLength(4);
  });
});

describe("leads list", () => {
  let org: Org;
  beforeAll(async () => {
    org = await createTestOrg(prisma(), "Listing");
    const make = async (data: Parameters<typeof createLead>[2]) => createLead(await sql(), org.org.id, data);
    await make({ email: "zed@alpha.test", firstName: "Zed", lastName: "Adams", status: "Qualified", caseTrackerCode: "CASE-77" });
    await make({ email: "amy@beta.test", firstName: "Amy", lastName: "Brown", status: "New", phone: "+1 555 0199" });
    await make({ phone: "+1 555 0123", firstName: "Carl" });
  });

  it("is scoped to the organization and newest first by default", async () => {
    const page = await listLeads(prisma(), org.org.id);
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => r.name)).toEqual(["Carl", "Amy Brown", "Zed Adams"]);
    expect(page.rows.some((r) => r.email === "secret@other.test")).toBe(false);
    expect((await listLeads(prisma(), other.org.id)).rows.map((r) => r.email)).toEqual(["secret@other.test"]);
  });

  it("filters on email, phone, names and case tracker code, every word counting", async () => {
    const names = async (q: string) => (await listLeads(prisma(), org.org.id, { q })).rows.map((r) => r.name);
    expect(await names("BETA.test")).toEqual(["Amy Brown"]);
    expect(await names("555 01")).toEqual(["Carl", "Amy Brown"]);
    expect(await names("case-77")).toEqual(["Zed Adams"]);
    expect(await names("amy brown")).toEqual(["Amy Brown"]);
    expect(await names("amy adams")).toEqual([]);
    // Another organization's lead never matches.
    expect(await names("secret")).toEqual([]);
    // % and _ are characters, never wildcards.
    expect(await names("%")).toEqual([]);
    expect(await names("a_y")).toEqual([]);
  });

  it("sorts by name, email and status (empty values last) and pages", async () => {
    const sorted = async (sort: "name" | "email" | "status", dir: "asc" | "desc") => (await listLeads(prisma(), org.org.id, { sort, dir })).rows.map((r) => r.name);
    expect(await sorted("name", "asc")).toEqual(["Zed Adams", "Amy Brown", "Carl"]);
    expect(await sorted("email", "asc")).toEqual(["Amy Brown", "Zed Adams", "Carl"]);
    expect(await sorted("email", "desc")).toEqual(["Zed Adams", "Amy Brown", "Carl"]);
    expect(await sorted("status", "asc")).toEqual(["Amy Brown", "Zed Adams", "Carl"]);
    const page = await listLeads(prisma(), org.org.id, { sort: "name", dir: "asc", size: 10, page: 9 });
    expect(page).toMatchObject({ page: 1, pageCount: 1 });
  });

  it("counts the latest delivery of each rule per lead", async () => {
    const rows = (await listLeads(prisma(), acme.org.id, { q: "jane" })).rows;
    expect(rows).toHaveLength(1);
    // Four deliveries from one rule: only the latest counts.
    expect(rows[0]!.webhooks).toEqual({ SUCCEEDED: 1, FAILED: 0, PENDING: 0, SKIPPED: 0 });
    const failing = await rule(acme, "failing", { events: ["lead.note_added"] });
    await asAdmin();
    await addNoteAction({ leadId: rows[0]!.id, body: "Second note" });
    await prisma().delivery.updateMany({ where: { ruleId: failing.id }, data: { state: "FAILED" } });
    await runDispatcher();
    expect((await listLeads(prisma(), acme.org.id, { q: "jane" })).rows[0]!.webhooks).toEqual({ SUCCEEDED: 1, FAILED: 1, PENDING: 0, SKIPPED: 0 });
  });
});

describe("API key actions", () => {
  it("an admin creates a key that is shown once, stored hashed, and authenticates", async () => {
    await asAdmin();
    const res = await createApiKeyAction({ name: "  Website form " });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    const { key, id, name } = res.data;
    expect(key).toMatch(/^lhk_[0-9A-Za-z]{32,}$/);
    expect(name).toBe("Website form");
    const row = await prisma().apiKey.findUniqueOrThrow({ where: { id } });
    expect(row).toMatchObject({ organizationId: acme.org.id, createdById: acme.admin.id, revokedAt: null });
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(key.slice(row.prefix.length));
    expect(await authenticateApiKey(await sql(), `Bearer ${key}`)).toMatchObject({ organizationId: acme.org.id, apiKeyId: id, organization: { id: acme.org.id } });
    // The list never carries the key, only its prefix.
    expect(JSON.stringify(await listApiKeys(prisma(), acme.org.id))).not.toContain(key);
  });

  it("rejects an empty name", async () => {
    await asAdmin();
    expect(await createApiKeyAction({ name: "   " })).toMatchObject({ ok: false, code: "invalid", fieldErrors: { name: [expect.any(String)] } });
  });

  it("revoking makes the key useless", async () => {
    await asAdmin();
    const created = await createApiKeyAction({ name: "Temp" });
    if (!created.ok) throw new Error(created.error);
    expect(await revokeApiKeyAction({ id: created.data.id })).toEqual({ ok: true, data: { id: created.data.id } });
    expect(await authenticateApiKey(await sql(), `Bearer ${created.data.key}`)).toBeNull();
    expect((await prisma().apiKey.findUniqueOrThrow({ where: { id: created.data.id } })).revokedAt).toBeInstanceOf(Date);
  });

  it("viewers and signed-out callers can neither create nor revoke", async () => {
    await asAdmin();
    const created = await createApiKeyAction({ name: "Keep" });
    if (!created.ok) throw new Error(created.error);
    const count = await prisma().apiKey.count();
    for (const [as, code] of [[asViewer, "forbidden"], [signedOut, "unauthenticated"]] as const) {
      await as();
      expect(await createApiKeyAction({ name: "Sneaky" })).toMatchObject({ ok: false, code });
      expect(await revokeApiKeyAction({ id: created.data.id })).toMatchObject({ ok: false, code });
    }
    expect(await prisma().apiKey.count()).toBe(count);
    expect(await authenticateApiKey(await sql(), `Bearer ${created.data.key}`)).not.toBeNull();
  });

  it("another organization's key is not found and keeps working", async () => {
    await signInAs(prisma(), other.admin.id);
    const theirs = await createApiKeyAction({ name: "Theirs" });
    if (!theirs.ok) throw new Error(theirs.error);
    await asAdmin();
    expect(await revokeApiKeyAction({ id: theirs.data.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await authenticateApiKey(await sql(), `Bearer ${theirs.data.key}`)).toMatchObject({ organizationId: other.org.id, apiKeyId: theirs.data.id });
  });
});
