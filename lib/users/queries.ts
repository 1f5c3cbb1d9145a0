import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";

export interface OrganizationUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
}

/** The organization's users, admins first; never their password hashes. */
export function listUsers(prisma: PrismaClient, organizationId: string): Promise<OrganizationUser[]> {
  return prisma.user.findMany({
    where: { organizationId },
    orderBy: [{ role: "asc" }, { email: "asc" }],
    select: { id: true, email: true, name: true, role: true },
  });
}
