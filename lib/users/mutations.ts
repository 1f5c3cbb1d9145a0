import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { hashPassword } from "@/lib/auth/password";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { newId } from "@/lib/core/ids";
import { isUniqueViolation } from "@/lib/db/errors";

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

// Emails are unique across every organization (they are how a user signs in), so an address may be
// taken by another organization's user. One neutral answer for every taken address, wherever it is
// used, so adding users cannot be used to find out who has an account elsewhere.
const EMAIL_UNAVAILABLE = "This email address can't be used for a new user. Use a different address.";
const LAST_ADMIN = "An organization needs at least one admin. Make another user an admin first.";

export async function addUser(prisma: PrismaClient, organizationId: string, input: { email: string; name?: string; password: string; role: Role }) {
  // Hashed first, whatever the answer: a taken address must not answer faster than a free one.
  const passwordHash = await hashPassword(input.password);
  const taken = await prisma.user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (taken) throw new DomainError(EMAIL_UNAVAILABLE, { email: [EMAIL_UNAVAILABLE] });
  try {
    return await prisma.user.create({
      data: { id: newId("usr"), organizationId, email: input.email, name: input.name || null, passwordHash, role: input.role },
      select: { id: true, email: true, name: true, role: true },
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError(EMAIL_UNAVAILABLE, { email: [EMAIL_UNAVAILABLE] });
    throw err;
  }
}

/**
 * Locks the organization's admin rows and returns how many there are. Two admins demoting each
 * other at the same moment would otherwise both see "another admin exists" and leave none.
 */
async function lockAdmins(tx: Tx, organizationId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "User" WHERE "organizationId" = ${organizationId} AND role = 'ADMIN' FOR UPDATE`;
  return rows.map((r) => r.id);
}

async function findUser(tx: Tx, organizationId: string, id: string) {
  const user = await tx.user.findFirst({ where: { id, organizationId }, select: { id: true, role: true, email: true } });
  if (!user) throw new NotFoundError();
  return user;
}

export async function changeUserRole(prisma: PrismaClient, organizationId: string, id: string, role: Role): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const admins = await lockAdmins(tx, organizationId);
    const user = await findUser(tx, organizationId, id);
    if (user.role === role) return;
    if (role !== "ADMIN" && admins.length === 1 && admins[0] === user.id) throw new DomainError(LAST_ADMIN);
    await tx.user.update({ where: { id: user.id }, data: { role } });
  });
}

export async function removeUser(prisma: PrismaClient, organizationId: string, actorId: string, id: string): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const admins = await lockAdmins(tx, organizationId);
    const user = await findUser(tx, organizationId, id);
    if (user.id === actorId) throw new DomainError("You cannot remove your own account.");
    if (admins.length === 1 && admins[0] === user.id) throw new DomainError(LAST_ADMIN);
    await tx.user.delete({ where: { id: user.id } });
  });
}
