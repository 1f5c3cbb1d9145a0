import type { PrismaClient } from "@/lib/generated/prisma/client";

/** A rule the form offers as a fallback or linked rule. */
export interface ChainChoice {
  id: string;
  title: string;
  enabled: boolean;
}

/** The organization's rules other than `exceptId` (the rule being edited), by title: what the form's fallback and linked selects offer. */
export async function chainChoices(prisma: PrismaClient, organizationId: string, exceptId?: string): Promise<ChainChoice[]> {
  return prisma.webhookRule.findMany({
    where: { organizationId, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true, title: true, enabled: true },
    orderBy: [{ title: "asc" }, { id: "asc" }],
  });
}
