import { beforeAll, describe, expect, it } from "vitest";
import { revealSigningKeyAction, rotateSigningKeyAction, updateOrganizationAction } from "@/app/(admin)/settings/actions";
import { addReferenceItemAction, deleteReferenceItemAction, moveReferenceItemAction, renameReferenceItemAction } from "@/app/(admin)/settings/reference-actions";
import { addUserAction, changeUserRoleAction, removeUserAction } from "@/app/(admin)/settings/user-actions";
import { verifyPassword } from "@/lib/auth/password";
import { newId } from "@/lib/core/ids";
import { getSigningKeys, ROTATION_GRACE_MS } from "@/lib/signing/organization-keys";
import { createTestOrg, useTestDatabase } from "../helpers/db";
import { signInAs } from "../helpers/session";

const prisma = useTestDatabase();

type Org = Awaited<ReturnType<typeof createTestOrg>>;
let acme: Org;
let other: Org;

beforeAll(async () => {
  acme = await createTestOrg(prisma(), "Acme");
  other = await createTestOrg(prisma(), "Other");
});

const asAdmin = () => signInAs(prisma(), acme.admin.id);
const asViewer = () => signInAs(prisma(), acme.viewer.id);
const signedOut = () => signInAs(prisma(), null);

async function refItem(org: Org, kind: "LEAD_STATUS" | "CASE_TYPE" | "OFFICE" | "MARKETING_SOURCE" | "OPPORTUNITY_SOURCE", name: string) {
  return prisma().referenceItem.findFirstOrThrow({ where: { organizationId: org.org.id, kind, name } });
}

function rule(org: Org, data: Record<string, string> = {}) {
  return prisma().webhookRule.create({ data: { id: newId("rule"), organizationId: org.org.id, title: "Rule", events: ["lead.created"], url: "https://example.com/h", ...data } });
}

describe("organization settings", () => {
  it("admin saves the name and the webhooks master switch; it persists", async () => {
    await asAdmin();
    const res = await updateOrganizationAction({ name: "  Acme Law  ", webhooksEnabled: "yes" });
    expect(res).toEqual({ ok: true, data: { name: "Acme Law", webhooksEnabled: true } });
    expect(await prisma().organization.findUniqueOrThrow({ where: { id: acme.org.id } })).toMatchObject({ name: "Acme Law", webhooksEnabled: true });
    await updateOrganizationAction({ name: "Acme Law", webhooksEnabled: "no" });
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: acme.org.id } })).webhooksEnabled).toBe(false);
    // The other organization is untouched.
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: other.org.id } })).name).toBe("Other");
  });

  it("rejects an empty name with a field error", async () => {
    await asAdmin();
    const res = await updateOrganizationAction({ name: " ", webhooksEnabled: "yes" });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.fieldErrors?.name).toBeDefined();
  });

  it("refuses viewers and signed-out callers", async () => {
    await asViewer();
    expect(await updateOrganizationAction({ name: "Hacked", webhooksEnabled: "yes" })).toMatchObject({ ok: false, code: "forbidden" });
    await signedOut();
    expect(await updateOrganizationAction({ name: "Hacked", webhooksEnabled: "yes" })).toMatchObject({ ok: false, code: "unauthenticated" });
    expect((await prisma().organization.findUniqueOrThrow({ where: { id: acme.org.id } })).name).toBe("Acme Law");
  });
});

describe("signing key", () => {
  it("reveals the plain key to admins only, and stores it encrypted", async () => {
    const { current } = await getSigningKeys(prisma(), acme.org.id);
    await asAdmin();
    expect(await revealSigningKeyAction()).toEqual({ ok: true, data: { key: current.secret } });
    const stored = await prisma().signingKey.findUniqueOrThrow({ where: { id: current.id } });
    expect(stored.secretEncrypted).not.toBe(current.secret);
    expect(stored.secretEncrypted).not.toContain(current.secret.slice("whsec_".length));
    await asViewer();
    expect(await revealSigningKeyAction()).toMatchObject({ ok: false, code: "forbidden" });
    await signedOut();
    expect(await revealSigningKeyAction()).toMatchObject({ ok: false, code: "unauthenticated" });
  });

  it("rotation makes a new key and keeps the old one signing for 24 hours", async () => {
    const before = await getSigningKeys(prisma(), acme.org.id);
    const otherBefore = await getSigningKeys(prisma(), other.org.id);
    await asAdmin();
    const res = await rotateSigningKeyAction();
    expect(res.ok).toBe(true);
    const after = await getSigningKeys(prisma(), acme.org.id);
    expect(after.current.secret).not.toBe(before.current.secret);
    const old = after.previous.find((p) => p.secret === before.current.secret);
    expect(old).toBeDefined();
    expect(Math.abs(old!.expiresAt.getTime() - (Date.now() + ROTATION_GRACE_MS))).toBeLessThan(60_000);
    if (res.ok) {
      expect(res.data.masked.endsWith(after.current.secret.slice(-4))).toBe(true);
      expect(JSON.stringify(res.data)).not.toContain(after.current.secret);
      expect(res.data.previousExpiresAt).toContain(old!.expiresAt.toISOString());
    }
    // Rotation is per organization.
    expect((await getSigningKeys(prisma(), other.org.id)).current.secret).toBe(otherBefore.current.secret);
  });

  it("refuses rotation to viewers and signed-out callers", async () => {
    const before = (await getSigningKeys(prisma(), acme.org.id)).current.secret;
    await asViewer();
    expect(await rotateSigningKeyAction()).toMatchObject({ ok: false, code: "forbidden" });
    await signedOut();
    expect(await rotateSigningKeyAction()).toMatchObject({ ok: false, code: "unauthenticated" });
    expect((await getSigningKeys(prisma(), acme.org.id)).current.secret).toBe(before);
  });
});

describe("reference lists", () => {
  it("admin adds an item at the end of its list, trimmed", async () => {
    await asAdmin();
    const res = await addReferenceItemAction({ kind: "CASE_TYPE", name: "  Dog Bite " });
    expect(res.ok).toBe(true);
    const items = await prisma().referenceItem.findMany({ where: { organizationId: acme.org.id, kind: "CASE_TYPE" }, orderBy: { position: "asc" } });
    expect(items.at(-1)?.name).toBe("Dog Bite");
  });

  it("refuses a duplicate name in the same list, case-insensitively, with a field error", async () => {
    await asAdmin();
    const res = await addReferenceItemAction({ kind: "OFFICE", name: "downtown" });
    expect(res).toMatchObject({ ok: false, code: "conflict" });
    if (!res.ok) expect(res.fieldErrors?.name?.[0]).toMatch(/already exists/);
    expect(await prisma().referenceItem.count({ where: { organizationId: acme.org.id, kind: "OFFICE", name: { equals: "downtown", mode: "insensitive" } } })).toBe(1);
    // The same name in another list is fine.
    expect((await addReferenceItemAction({ kind: "MARKETING_SOURCE", name: "Downtown" })).ok).toBe(true);
  });

  it("validates the name length", async () => {
    await asAdmin();
    expect(await addReferenceItemAction({ kind: "OFFICE", name: "   " })).toMatchObject({ ok: false, code: "invalid" });
    expect(await addReferenceItemAction({ kind: "OFFICE", name: "x".repeat(101) })).toMatchObject({ ok: false, code: "invalid" });
  });

  it("adds a substatus under a status of the organization only", async () => {
    await asAdmin();
    const contacted = await refItem(acme, "LEAD_STATUS", "Contacted");
    const res = await addReferenceItemAction({ kind: "LEAD_SUBSTATUS", parentId: contacted.id, name: "Texted" });
    expect(res.ok).toBe(true);
    expect(await prisma().referenceItem.count({ where: { parentId: contacted.id, name: "Texted" } })).toBe(1);
    const foreign = await refItem(other, "LEAD_STATUS", "Contacted");
    expect(await addReferenceItemAction({ kind: "LEAD_SUBSTATUS", parentId: foreign.id, name: "Sneaky" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await prisma().referenceItem.count({ where: { name: "Sneaky" } })).toBe(0);
  });

  it("renames, refusing a duplicate and other organizations' items", async () => {
    await asAdmin();
    const north = await refItem(acme, "OFFICE", "North Branch");
    expect(await renameReferenceItemAction({ id: north.id, name: "Northside" })).toMatchObject({ ok: true });
    expect((await prisma().referenceItem.findUniqueOrThrow({ where: { id: north.id } })).name).toBe("Northside");
    expect(await renameReferenceItemAction({ id: north.id, name: "MAIN OFFICE" })).toMatchObject({ ok: false, code: "conflict" });
    // Renaming to its own name in another case is not a clash with itself.
    expect(await renameReferenceItemAction({ id: north.id, name: "NORTHSIDE" })).toMatchObject({ ok: true });
    const foreign = await refItem(other, "OFFICE", "Downtown");
    expect(await renameReferenceItemAction({ id: foreign.id, name: "Pwned" })).toMatchObject({ ok: false, code: "not_found" });
    expect((await prisma().referenceItem.findUniqueOrThrow({ where: { id: foreign.id } })).name).toBe("Downtown");
  });

  it("reorders with move up and down", async () => {
    await asAdmin();
    const names = async () => (await prisma().referenceItem.findMany({ where: { organizationId: acme.org.id, kind: "OPPORTUNITY_SOURCE" }, orderBy: { position: "asc" } })).map((i) => i.name);
    const start = await names();
    const second = await refItem(acme, "OPPORTUNITY_SOURCE", start[1]!);
    expect(await moveReferenceItemAction({ id: second.id, direction: "up" })).toMatchObject({ ok: true });
    expect(await names()).toEqual([start[1], start[0], ...start.slice(2)]);
    expect(await moveReferenceItemAction({ id: second.id, direction: "up" })).toMatchObject({ ok: true }); // already first: no change
    expect(await names()).toEqual([start[1], start[0], ...start.slice(2)]);
    expect(await moveReferenceItemAction({ id: second.id, direction: "down" })).toMatchObject({ ok: true });
    expect(await names()).toEqual(start);
    const foreign = await refItem(other, "OPPORTUNITY_SOURCE", start[1]!);
    expect(await moveReferenceItemAction({ id: foreign.id, direction: "up" })).toMatchObject({ ok: false, code: "not_found" });
  });

  it("refuses to delete an item used by webhook rules, counting them", async () => {
    await asAdmin();
    const downtown = await refItem(acme, "OFFICE", "Downtown");
    await rule(acme, { officeId: downtown.id });
    await rule(acme, { officeId: downtown.id });
    await rule(acme, { officeId: downtown.id });
    const res = await deleteReferenceItemAction({ id: downtown.id });
    expect(res).toEqual({ ok: false, code: "conflict", error: "“Downtown” is used by 3 webhook rules; change those rules first." });
    expect(await prisma().referenceItem.count({ where: { id: downtown.id } })).toBe(1);
  });

  it("refuses to delete a case type used through RuleCaseType", async () => {
    await asAdmin();
    const pi = await refItem(acme, "CASE_TYPE", "Personal Injury");
    const r = await rule(acme);
    await prisma().ruleCaseType.create({ data: { ruleId: r.id, caseTypeId: pi.id } });
    expect(await deleteReferenceItemAction({ id: pi.id })).toMatchObject({ ok: false, error: "“Personal Injury” is used by 1 webhook rule; change those rules first." });
  });

  it("deletes a status with its substatuses, unless a substatus is used", async () => {
    await asAdmin();
    const rejected = await refItem(acme, "LEAD_STATUS", "Rejected");
    const noCase = await prisma().referenceItem.findFirstOrThrow({ where: { parentId: rejected.id, name: "No Case" } });
    const r = await rule(acme, { statusId: (await refItem(acme, "LEAD_STATUS", "Lost")).id, substatusId: noCase.id });
    const refused = await deleteReferenceItemAction({ id: rejected.id });
    expect(refused).toMatchObject({ ok: false, code: "conflict" });
    if (!refused.ok) expect(refused.error).toContain("1 webhook rule");
    expect(await prisma().referenceItem.count({ where: { parentId: rejected.id } })).toBeGreaterThan(0);

    await prisma().webhookRule.delete({ where: { id: r.id } });
    expect(await deleteReferenceItemAction({ id: rejected.id })).toEqual({ ok: true, data: null });
    expect(await prisma().referenceItem.count({ where: { OR: [{ id: rejected.id }, { parentId: rejected.id }] } })).toBe(0);
  });

  it("deletes an unused item; another organization's item is not found", async () => {
    await asAdmin();
    const walkIn = await refItem(acme, "OPPORTUNITY_SOURCE", "Walk-in");
    expect(await deleteReferenceItemAction({ id: walkIn.id })).toEqual({ ok: true, data: null });
    expect(await prisma().referenceItem.count({ where: { id: walkIn.id } })).toBe(0);
    const foreign = await refItem(other, "OPPORTUNITY_SOURCE", "Walk-in");
    expect(await deleteReferenceItemAction({ id: foreign.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await prisma().referenceItem.count({ where: { id: foreign.id } })).toBe(1);
  });

  it("refuses every change to viewers and signed-out callers", async () => {
    const tv = await refItem(acme, "MARKETING_SOURCE", "TV");
    for (const who of [asViewer, signedOut]) {
      await who();
      const code = who === asViewer ? "forbidden" : "unauthenticated";
      expect(await addReferenceItemAction({ kind: "OFFICE", name: "Uptown" })).toMatchObject({ ok: false, code });
      expect(await renameReferenceItemAction({ id: tv.id, name: "Television" })).toMatchObject({ ok: false, code });
      expect(await moveReferenceItemAction({ id: tv.id, direction: "up" })).toMatchObject({ ok: false, code });
      expect(await deleteReferenceItemAction({ id: tv.id })).toMatchObject({ ok: false, code });
    }
    expect(await prisma().referenceItem.findUniqueOrThrow({ where: { id: tv.id } })).toMatchObject({ name: "TV", position: tv.position });
    expect(await prisma().referenceItem.count({ where: { name: "Uptown" } })).toBe(0);
  });
});

describe("users", () => {
  it("admin adds a user with a hashed temporary password", async () => {
    await asAdmin();
    const res = await addUserAction({ email: " New.Person@Acme.test ", name: "New Person", password: "temporary1", role: "VIEWER" });
    expect(res).toMatchObject({ ok: true, data: { email: "new.person@acme.test", role: "VIEWER" } });
    const user = await prisma().user.findUniqueOrThrow({ where: { email: "new.person@acme.test" } });
    expect(user.organizationId).toBe(acme.org.id);
    expect(user.passwordHash).not.toBe("temporary1");
    expect(await verifyPassword("temporary1", user.passwordHash)).toBe(true);
  });

  it("refuses an email used in any organization, and a short password", async () => {
    await asAdmin();
    const taken = await addUserAction({ email: other.admin.email.toUpperCase(), password: "password123", role: "ADMIN" });
    expect(taken).toMatchObject({ ok: false, code: "conflict" });
    expect((await prisma().user.findUniqueOrThrow({ where: { email: other.admin.email } })).organizationId).toBe(other.org.id);
    expect(await prisma().user.count({ where: { email: other.admin.email } })).toBe(1);
    const short = await addUserAction({ email: "short@acme.test", password: "1234567", role: "ADMIN" });
    expect(short).toMatchObject({ ok: false, code: "invalid" });
    if (!short.ok) expect(short.fieldErrors?.password).toBeDefined();
    expect(await prisma().user.count({ where: { email: "short@acme.test" } })).toBe(0);
  });

  it("an email of another organization's user gets the same neutral answer as one of this organization's: nothing says where it exists", async () => {
    await asAdmin();
    const elsewhere = await addUserAction({ email: other.viewer.email, password: "password123", role: "VIEWER" });
    const here = await addUserAction({ email: acme.viewer.email, password: "password123", role: "VIEWER" });
    expect(elsewhere).toEqual(here);
    expect(elsewhere).toMatchObject({ ok: false, code: "conflict", fieldErrors: { email: [expect.any(String)] } });
    const said = JSON.stringify(elsewhere);
    expect(said).not.toMatch(/exist|another organi[sz]ation|already/i);
    expect(said).not.toContain(other.org.name);
    expect(await prisma().user.count({ where: { email: other.viewer.email } })).toBe(1);
    expect((await prisma().user.findUniqueOrThrow({ where: { email: other.viewer.email } })).organizationId).toBe(other.org.id);
  });

  it("changes a role; another organization's user is not found", async () => {
    await asAdmin();
    const user = await prisma().user.findUniqueOrThrow({ where: { email: "new.person@acme.test" } });
    expect(await changeUserRoleAction({ id: user.id, role: "ADMIN" })).toEqual({ ok: true, data: null });
    expect((await prisma().user.findUniqueOrThrow({ where: { id: user.id } })).role).toBe("ADMIN");
    expect(await changeUserRoleAction({ id: other.viewer.id, role: "ADMIN" })).toMatchObject({ ok: false, code: "not_found" });
    expect((await prisma().user.findUniqueOrThrow({ where: { id: other.viewer.id } })).role).toBe("VIEWER");
  });

  it("never demotes the last admin", async () => {
    await asAdmin();
    const second = await prisma().user.findUniqueOrThrow({ where: { email: "new.person@acme.test" } });
    // Two admins: demoting one (even oneself) is fine, demoting the last one is not.
    expect(await changeUserRoleAction({ id: second.id, role: "VIEWER" })).toMatchObject({ ok: true });
    const res = await changeUserRoleAction({ id: acme.admin.id, role: "VIEWER" });
    expect(res).toMatchObject({ ok: false, code: "conflict" });
    if (!res.ok) expect(res.error).toMatch(/at least one admin/);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: acme.admin.id } })).role).toBe("ADMIN");
  });

  it("removes a user but never oneself; another organization's user is not found", async () => {
    await asAdmin();
    const user = await prisma().user.findUniqueOrThrow({ where: { email: "new.person@acme.test" } });
    expect(await removeUserAction({ id: acme.admin.id })).toMatchObject({ ok: false, code: "conflict", error: "You cannot remove your own account." });
    expect(await prisma().user.count({ where: { id: acme.admin.id } })).toBe(1);
    expect(await removeUserAction({ id: other.viewer.id })).toMatchObject({ ok: false, code: "not_found" });
    expect(await prisma().user.count({ where: { id: other.viewer.id } })).toBe(1);
    expect(await removeUserAction({ id: user.id })).toEqual({ ok: true, data: null });
    expect(await prisma().user.count({ where: { id: user.id } })).toBe(0);
  });

  it("refuses every user change to viewers and signed-out callers", async () => {
    for (const [who, code] of [[asViewer, "forbidden"], [signedOut, "unauthenticated"]] as const) {
      await who();
      expect(await addUserAction({ email: "intruder@acme.test", password: "password123", role: "ADMIN" })).toMatchObject({ ok: false, code });
      expect(await changeUserRoleAction({ id: acme.viewer.id, role: "ADMIN" })).toMatchObject({ ok: false, code });
      expect(await removeUserAction({ id: acme.admin.id })).toMatchObject({ ok: false, code });
    }
    expect(await prisma().user.count({ where: { email: "intruder@acme.test" } })).toBe(0);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: acme.viewer.id } })).role).toBe("VIEWER");
    expect(await prisma().user.count({ where: { id: acme.admin.id } })).toBe(1);
  });
});
