import type { PrismaClient } from "@/lib/generated/prisma/client";
import type { ReferenceKind } from "@/lib/generated/prisma/enums";
import { DomainError, NotFoundError } from "@/lib/core/errors";
import { newId } from "@/lib/core/ids";
import { isForeignKeyViolation, isUniqueViolation } from "@/lib/db/errors";

// Changes to an organization's reference lists. A "list" is one kind, and for substatuses one
// parent status: names are unique within it (case-insensitively) and positions order it.

type Db = PrismaClient;

interface ListKey {
  organizationId: string;
  kind: ReferenceKind;
  parentId: string | null;
}

const DUPLICATE = "An item with this name already exists in this list.";

async function findItem(prisma: Pick<Db, "referenceItem">, organizationId: string, id: string) {
  const item = await prisma.referenceItem.findFirst({ where: { id, organizationId } });
  if (!item) throw new NotFoundError();
  return item;
}

async function assertUniqueName(prisma: Pick<Db, "referenceItem">, list: ListKey, name: string, exceptId?: string) {
  const clash = await prisma.referenceItem.findFirst({
    where: { ...list, name: { equals: name, mode: "insensitive" }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw new DomainError(DUPLICATE, { name: [DUPLICATE] });
}

export async function addReferenceItem(prisma: Db, organizationId: string, input: { kind: ReferenceKind; parentId?: string; name: string }) {
  const parentId = input.kind === "LEAD_SUBSTATUS" ? (input.parentId ?? null) : null;
  if (input.kind === "LEAD_SUBSTATUS") {
    const parent = parentId ? await prisma.referenceItem.findFirst({ where: { id: parentId, organizationId, kind: "LEAD_STATUS" } }) : null;
    if (!parent) throw new NotFoundError();
  }
  const list: ListKey = { organizationId, kind: input.kind, parentId };
  await assertUniqueName(prisma, list, input.name);
  const last = await prisma.referenceItem.aggregate({ where: list, _max: { position: true } });
  try {
    return await prisma.referenceItem.create({
      data: { id: newId("ref"), ...list, name: input.name, position: (last._max.position ?? -1) + 1 },
    });
  } catch (err) {
    // Two admins adding the same name at once: the database's unique index decides.
    if (isUniqueViolation(err)) throw new DomainError(DUPLICATE, { name: [DUPLICATE] });
    throw err;
  }
}

export async function renameReferenceItem(prisma: Db, organizationId: string, id: string, name: string) {
  const item = await findItem(prisma, organizationId, id);
  await assertUniqueName(prisma, { organizationId, kind: item.kind, parentId: item.parentId }, name, item.id);
  try {
    return await prisma.referenceItem.update({ where: { id: item.id }, data: { name } });
  } catch (err) {
    if (isUniqueViolation(err)) throw new DomainError(DUPLICATE, { name: [DUPLICATE] });
    throw err;
  }
}

/** Rules of the organization that use any of these items in their creation rules. */
export function countRulesUsing(prisma: Pick<Db, "webhookRule">, organizationId: string, ids: string[]): Promise<number> {
  return prisma.webhookRule.count({
    where: {
      organizationId,
      OR: [
        { statusId: { in: ids } },
        { substatusId: { in: ids } },
        { officeId: { in: ids } },
        { opportunitySourceId: { in: ids } },
        { marketingSourceId: { in: ids } },
        { caseTypes: { some: { caseTypeId: { in: ids } } } },
      ],
    },
  });
}

function inUseMessage(name: string, count: number, viaSubstatus: boolean): string {
  const rules = `${count} webhook rule${count === 1 ? "" : "s"}`;
  return viaSubstatus
    ? `“${name}” has substatuses used by ${rules}; change those rules first.`
    : `“${name}” is used by ${rules}; change those rules first.`;
}

/** Deletes an item (a status with its substatuses) unless a webhook rule still uses it. */
export async function deleteReferenceItem(prisma: Db, organizationId: string, id: string): Promise<void> {
  const item = await findItem(prisma, organizationId, id);
  const children = item.kind === "LEAD_STATUS" ? await prisma.referenceItem.findMany({ where: { organizationId, parentId: item.id }, select: { id: true } }) : [];
  const own = await countRulesUsing(prisma, organizationId, [item.id]);
  if (own > 0) throw new DomainError(inUseMessage(item.name, own, false));
  if (children.length) {
    const viaChildren = await countRulesUsing(prisma, organizationId, children.map((c) => c.id));
    if (viaChildren > 0) throw new DomainError(inUseMessage(item.name, viaChildren, true));
  }
  try {
    // Substatuses go with their status (onDelete: Cascade on parentId).
    await prisma.referenceItem.delete({ where: { id: item.id } });
  } catch (err) {
    // A rule started using it between the check and the delete: the foreign key refuses.
    if (isForeignKeyViolation(err)) throw new DomainError(`“${item.name}” is used by a webhook rule; change that rule first.`);
    throw err;
  }
}

/** Swaps an item with its neighbour and renumbers its list 0..n-1, so positions stay distinct. */
export async function moveReferenceItem(prisma: Db, organizationId: string, id: string, direction: "up" | "down"): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const item = await findItem(tx, organizationId, id);
    const siblings = await tx.referenceItem.findMany({
      where: { organizationId, kind: item.kind, parentId: item.parentId },
      orderBy: [{ position: "asc" }, { name: "asc" }],
      select: { id: true, position: true },
    });
    const from = siblings.findIndex((s) => s.id === item.id);
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0 || to >= siblings.length) return;
    [siblings[from], siblings[to]] = [siblings[to]!, siblings[from]!];
    for (const [position, s] of siblings.entries()) {
      if (s.position !== position) await tx.referenceItem.update({ where: { id: s.id }, data: { position } });
    }
  });
}
