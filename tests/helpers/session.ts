import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { SessionUser } from "@/lib/auth/session";

let current: SessionUser | null = null;

export function currentTestUser(): SessionUser | null {
  return current;
}

/** Makes the following server-action calls run as this user (null: signed out). */
export async function signInAs(prisma: PrismaClient, userId: string | null): Promise<SessionUser | null> {
  if (!userId) return (current = null);
  const u = await prisma.user.findUniqueOrThrow({ where: { id: userId }, include: { organization: true } });
  current = { id: u.id, email: u.email, name: u.name, role: u.role, organizationId: u.organizationId, organizationName: u.organization.name };
  return current;
}
