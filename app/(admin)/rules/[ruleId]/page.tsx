import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { RuleDeliveriesPanel } from "@/components/deliveries/rule-deliveries-panel";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { NotFoundError } from "@/lib/errors";
import { eventLabel } from "@/lib/events/catalog";
import { getReferenceLists } from "@/lib/reference/queries";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { RuleForm } from "../rule-form";

export const metadata: Metadata = { title: "Edit Webhook Rule" };

export default async function EditRulePage({ params }: { params: Promise<{ ruleId: string }> }) {
  const { ruleId } = await params;
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const prisma = await db();
  // Another organization's rule looks exactly like one that does not exist.
  const rule = await getRuleForEdit(prisma, user.organizationId, ruleId).catch((err: unknown) => {
    if (err instanceof NotFoundError) notFound();
    throw err;
  });
  const references = await getReferenceLists(prisma, user.organizationId);
  return (
    <>
      <PageHeader title="Edit Webhook Rule" description={rule.title} />
      <RuleForm
        key={rule.id}
        ruleId={rule.id}
        defaultValues={rule.values}
        storedSecrets={rule.storedSecrets}
        lastTest={rule.lastTest}
        references={references}
        allowInsecureUrls={env().ALLOW_INSECURE_URLS}
        readOnly={user.role !== "ADMIN"}
      />
      <div className="mt-8">
        <RuleDeliveriesPanel organizationId={user.organizationId} ruleId={rule.id} />
      </div>
    </>
  );
}
