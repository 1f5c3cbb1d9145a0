import { db } from "@/lib/db";
import { AutoDisableForm } from "./auto-disable-form";

/** Settings → Delivery health: reads the organization's threshold itself so the page mounts it in one line. */
export async function AutoDisableSection({ organizationId, canEdit }: { organizationId: string; canEdit: boolean }) {
  const prisma = await db();
  const org = await prisma.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { autoDisableThreshold: true } });
  return <AutoDisableForm threshold={org.autoDisableThreshold} canEdit={canEdit} />;
}
