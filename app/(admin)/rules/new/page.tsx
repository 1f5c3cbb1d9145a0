import { ShieldAlert } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { env } from "@/lib/core/env";
import { getReferenceLists } from "@/lib/reference/queries";
import { emptyRuleInput } from "@/lib/rules/form/rule";
import { organizationAnswerPaths } from "@/lib/rules/answer-paths";
import { AnswerPathsProvider } from "../_form/answer-variables";
import { RuleForm } from "../_form/rule-form";
import { chainChoices } from "@/lib/rules/chain-choices";

export const metadata: Metadata = { title: "Add Webhook Rule" };

export default async function NewRulePage() {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  if (user.role !== "ADMIN") {
    // The action refuses viewers anyway; this only spares them a form they cannot save.
    return (
      <>
        <PageHeader title="Add Webhook Rule" />
        <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <EmptyState
            icon={<ShieldAlert aria-hidden className="h-8 w-8" />}
            title="You don't have permission to add webhook rules"
            description="Your role is read only. Ask an admin of your organization to add the rule."
            action={
              <Link href="/rules" className={buttonClass("secondary")}>
                Back to rules
              </Link>
            }
          />
        </div>
      </>
    );
  }
  const prisma = await db();
  const [references, answerPaths, chainRules] = await Promise.all([
    getReferenceLists(prisma, user.organizationId),
    organizationAnswerPaths(prisma, user.organizationId),
    chainChoices(prisma, user.organizationId),
  ]);
  return (
    <AnswerPathsProvider paths={answerPaths}>
      <PageHeader title="Add Webhook Rule" description="Send lead events to another application when something happens to a lead." />
      <RuleForm defaultValues={emptyRuleInput()} references={references} chainRules={chainRules} allowInsecureUrls={env().ALLOW_INSECURE_URLS} />
    </AnswerPathsProvider>
  );
}
