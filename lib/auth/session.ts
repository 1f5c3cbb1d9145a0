import { getServerSession } from "next-auth";
import { db } from "@/lib/db";
import type { Role } from "@/lib/generated/prisma/enums";
import { authOptions } from "./options";

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  organizationId: string;
  organizationName: string;
}

/**
 * The signed-in user, read fresh from the database on every request so a removed user or a
 * changed role takes effect at once (the JWT only carries the user id).
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id) return null;
  const prisma = await db();
  const user = await prisma.user.findUnique({ where: { id }, include: { organization: { select: { name: true } } } });
  if (!user) return null;
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    organizationId: user.organizationId,
    organizationName: user.organization.name,
  };
}
