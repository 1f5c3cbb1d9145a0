import { describe, expect, it } from "vitest";
import { setupAction } from "@/app/(auth)/setup/actions";
import { getSigningKeys } from "@/lib/signing/organization-keys";
import { verifyPassword } from "@/lib/auth/password";
import { useTestDatabase } from "../helpers/db";

const prisma = useTestDatabase();

describe("first-run setup", () => {
  it("rejects invalid input with field errors and creates nothing", async () => {
    const res = await setupAction({ organizationName: "", email: "not-an-email", password: "short" });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(Object.keys(res.fieldErrors ?? {}).sort()).toEqual(["email", "organizationName", "password"]);
    expect(await prisma().user.count()).toBe(0);
  });

  it("creates the organization, its admin, a signing key and the default reference lists", async () => {
    const res = await setupAction({ organizationName: "Acme Law", email: "Owner@Acme.test", password: "correct horse" });
    expect(res).toEqual({ ok: true, data: { email: "owner@acme.test" } });
    const user = await prisma().user.findUniqueOrThrow({ where: { email: "owner@acme.test" }, include: { organization: true } });
    expect(user.role).toBe("ADMIN");
    expect(user.organization.slug).toBe("acme-law");
    expect(await verifyPassword("correct horse", user.passwordHash)).toBe(true);
    const keys = await getSigningKeys(prisma(), user.organizationId);
    expect(keys.current.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const statuses = await prisma().referenceItem.count({ where: { organizationId: user.organizationId, kind: "LEAD_STATUS" } });
    expect(statuses).toBeGreaterThan(3);
  });

  it("refuses a second setup once a user exists", async () => {
    const res = await setupAction({ organizationName: "Intruder", email: "x@evil.test", password: "password123" });
    expect(res.ok).toBe(false);
    expect(await prisma().organization.count()).toBe(1);
  });
});
