import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { hashPassword } from "@/lib/auth/password";
import { newId } from "@/lib/core/ids";
import { DEFAULT_LISTS, DEFAULT_STATUSES } from "./defaults";
import { createSigningKey } from "../signing/organization-keys";

export function slugify(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 48) || "org"
  );
}

export interface NewOrganization {
  organizationName: string;
  email: string;
  password: string;
  name?: string | null;
  role?: Role;
}

/** Creates an organization with its first user, signing key and default reference lists. */
export async function createOrganizationWithAdmin(prisma: PrismaClient, input: NewOrganization) {
  const passwordHash = await hashPassword(input.password);
  return prisma.$transaction(async (tx) => {
    const base = slugify(input.organizationName);
    let slug = base;
    for (let n = 2; await tx.organization.findUnique({ where: { slug } }); n++) slug = `${base}-${n}`;
    const org = await tx.organization.create({ data: { id: newId("org"), name: input.organizationName, slug } });
    const user = await tx.user.create({
      data: {
        id: newId("usr"),
        organizationId: org.id,
        email: input.email.toLowerCase(),
        name: input.name ?? null,
        passwordHash,
        role: input.role ?? "ADMIN",
      },
    });
    await createSigningKey(tx, org.id);
    let position = 0;
    for (const status of DEFAULT_STATUSES) {
      const parentId = newId("ref");
      await tx.referenceItem.create({ data: { id: parentId, organizationId: org.id, kind: "LEAD_STATUS", name: status.name, position: position++ } });
      await tx.referenceItem.createMany({
        data: status.substatuses.map((name, i) => ({ id: newId("ref"), organizationId: org.id, kind: "LEAD_SUBSTATUS" as const, name, parentId, position: i })),
      });
    }
    for (const [kind, names] of Object.entries(DEFAULT_LISTS)) {
      await tx.referenceItem.createMany({
        data: names.map((name, i) => ({ id: newId("ref"), organizationId: org.id, kind: kind as keyof typeof DEFAULT_LISTS, name, position: i })),
      });
    }
    return { organization: org, user };
  });
}
