import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { ReferenceKind } from "@/lib/generated/prisma/enums";

export interface ReferenceOption {
  id: string;
  name: string;
}

export interface StatusOption extends ReferenceOption {
  substatuses: ReferenceOption[];
}

export interface ReferenceLists {
  statuses: StatusOption[];
  caseTypes: ReferenceOption[];
  offices: ReferenceOption[];
  opportunitySources: ReferenceOption[];
  marketingSources: ReferenceOption[];
}

/** The organization's reference lists, in their display order. */
export async function getReferenceLists(prisma: PrismaClient, organizationId: string): Promise<ReferenceLists> {
  const items = await prisma.referenceItem.findMany({
    where: { organizationId },
    orderBy: [{ position: "asc" }, { name: "asc" }],
    select: { id: true, name: true, kind: true, parentId: true },
  });
  return referenceListsOf(items);
}

/** The lists made of an organization's items, given in display order. */
export function referenceListsOf(items: readonly { id: string; name: string; kind: ReferenceKind | string; parentId: string | null }[]): ReferenceLists {
  const of = (kind: ReferenceKind) => items.filter((i) => i.kind === kind).map(({ id, name }) => ({ id, name }));
  return {
    statuses: items
      .filter((i) => i.kind === "LEAD_STATUS")
      .map(({ id, name }) => ({ id, name, substatuses: items.filter((s) => s.kind === "LEAD_SUBSTATUS" && s.parentId === id).map((s) => ({ id: s.id, name: s.name })) })),
    caseTypes: of("CASE_TYPE"),
    offices: of("OFFICE"),
    opportunitySources: of("OPPORTUNITY_SOURCE"),
    marketingSources: of("MARKETING_SOURCE"),
  };
}

