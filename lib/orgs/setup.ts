import type { PrismaClient } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db";
import { DomainError } from "@/lib/core/errors";
import { createOrganizationWithAdmin, type NewOrganization } from "./create-organization";

export async function hasAnyUser(prisma?: PrismaClient): Promise<boolean> {
  const client = prisma ?? (await db());
  return (await client.user.count({ take: 1 })) > 0;
}

/**
 * First run: creates the first organization and its admin, only while no user exists. Used by
 * /setup and by start-up when ADMIN_EMAIL and ADMIN_PASSWORD are set.
 */
export async function createFirstAdmin(prisma: PrismaClient, input: NewOrganization) {
  if (await hasAnyUser(prisma)) throw new DomainError("Setup is already complete. Sign in instead.");
  return createOrganizationWithAdmin(prisma, { ...input, role: "ADMIN" });
}
