import { formatUtc } from "@/lib/core/format";
import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { RuleDeliveriesPanel } from "@/components/delivery-log/rule-deliveries-panel";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { ruleDeliveryStats } from "@/lib/delivery/log/queries";
import { env } from "@/lib/core/env";
import { NotFoundError } from "@/lib/core/errors";
import { getReferenceLists } from "@/lib/reference/queries";
import { getRuleForEdit } from "@/lib/rules/mutations";
import { organizationAnswerPaths } from "@/lib/rules/answer-paths";
import { AnswerPathsProvider } from "../_form/answer-variables";
import { chainChoices } from "@/lib/rules/chain-choices";
import { RuleForm } from "../_form/rule-form";
import { LimitsNote } from "./limits-note";
import { PauseNote } from "./pause-note";

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
  const [references, deliveryStats, answerPaths, chainRules] = await Promise.all([
    getReferenceLists(prisma, user.organizationId),
    ruleDeliveryStats(prisma, user.organizationId, rule.id),
    organizationAnswerPaths(prisma, user.organizationId),
    chainChoices(prisma, user.organizationId, rule.id),
  ]);
  return (
    <AnswerPathsProvider paths={answerPaths}>
      <PageHeader title="Edit Webhook Rule" description={rule.title} />
      {rule.disabled && (
        <p role="note" className="mb-4 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-800 ring-1 ring-amber-200">
          Disabled{rule.disabled.at ? ` on ${formatUtc(rule.disabled.at)}` : ""}: {rule.disabled.reason}. Enable it from the list to replay what failed while it was down.
        </p>
      )}
      {/* A disabled rule sends nothing: its note says enough. */}
      {rule.paused && !rule.disabled && <PauseNote pause={rule.paused} />}
      {rule.limits && <LimitsNote limits={rule.limits} />}
      <RuleForm
        key={rule.id}
        ruleId={rule.id}
        defaultValues={rule.values}
        storedSecrets={rule.storedSecrets}
        lastTest={rule.lastTest}
        references={references}
        chainRules={chainRules}
        allowInsecureUrls={env().ALLOW_INSECURE_URLS}
        readOnly={user.role !== "ADMIN"}
      />
      <div className="mt-8">
        <RuleDeliveriesPanel ruleId={rule.id} stats={deliveryStats} />
      </div>
    </AnswerPathsProvider>
  );
}
