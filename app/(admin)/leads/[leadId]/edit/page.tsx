import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/core/errors";
import { leadToFormValues } from "@/lib/leads/form-values";
import { displayName } from "@/lib/leads/list";
import { getLead } from "@/lib/leads/mutations";
import { getReferenceLists } from "@/lib/reference/queries";
import { LeadForm } from "../../lead-form";

export const metadata: Metadata = { title: "Edit lead" };

export default async function EditLeadPage({ params }: { params: Promise<{ leadId: string }> }) {
  const { leadId } = await params;
  const user = await getSessionUser();
  if (!user) redirect("/login");
  // Viewers read the lead on its page; the edit form is for admins only.
  if (user.role !== "ADMIN") redirect(`/leads/${encodeURIComponent(leadId)}`);
  const prisma = await db();
  // Another organization's lead looks exactly like one that does not exist.
  const lead = await getLead(prisma, user.organizationId, leadId).catch((err: unknown) => {
    if (err instanceof NotFoundError) notFound();
    throw err;
  });
  const references = await getReferenceLists(prisma, user.organizationId);
  return (
    <>
      <PageHeader title="Edit lead" description={displayName(lead) ?? lead.email ?? lead.phone ?? lead.id} />
      <LeadForm
        key={lead.id}
        leadId={lead.id}
        defaultValues={leadToFormValues(lead)}
        originalCustomFields={(lead.customFields ?? {}) as Record<string, unknown>}
        references={references}
      />
    </>
  );
}
