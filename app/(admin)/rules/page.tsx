import { FileSpreadsheet, Plus, TriangleAlert } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { patchSearchParams, type RawSearchParams } from "@/lib/core/list-params";
import { SigningKey } from "@/components/signing-key";
import { revealSigningKeyAction } from "../settings/actions";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { getMaskedSigningKey } from "@/lib/signing/organization-keys";
import { listRules, parseRuleListParams } from "@/lib/rules/list";
import { RulesTable } from "./_list/rules-table";

export const metadata: Metadata = { title: "Webhook Rules" };

export default async function RulesPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const params = parseRuleListParams(await searchParams);
  const prisma = await db();
  const [list, org, maskedKey] = await Promise.all([
    listRules(prisma, user.organizationId, params),
    prisma.organization.findUniqueOrThrow({ where: { id: user.organizationId }, select: { webhooksEnabled: true } }),
    getMaskedSigningKey(prisma, user.organizationId),
  ]);
  const canEdit = user.role === "ADMIN";
  // The export follows what the list shows: same filter, same order, every page.
  const exportHref = `/api/rules/export${patchSearchParams(new URLSearchParams(), { q: params.q, sort: params.sort, dir: params.dir })}`;

  return (
    <>
      <PageHeader
        title="Webhook Rules"
        description="Each rule sends a signed request to a URL when a lead event happens."
        actions={
          <>
            <a href={exportHref} download className={buttonClass("secondary")}>
              <FileSpreadsheet aria-hidden className="h-4 w-4" />
              Excel
            </a>
            {canEdit && (
              <Link href="/rules/new" className={buttonClass("primary")}>
                <Plus aria-hidden className="h-4 w-4" />
                Create New
              </Link>
            )}
          </>
        }
      />
      {!org.webhooksEnabled && (
        <div className="mb-4 flex items-start gap-2.5 rounded-md bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-inset ring-amber-600/20">
          <TriangleAlert aria-hidden className="mt-0.5 h-4 w-4 shrink-0 text-amber-600" />
          <p>
            Webhooks are disabled for your organization. Rules will not send until an admin enables them in{" "}
            <Link href="/settings" className="font-medium underline underline-offset-2 hover:text-amber-700">
              Settings
            </Link>
            .
          </p>
        </div>
      )}
      <RulesTable
        {...list}
        sort={params.sort}
        dir={params.dir}
        q={params.q}
        canEdit={canEdit}
        footer={
          <div className="flex flex-col items-end gap-1.5 text-right">
            <span className="text-xs font-medium text-slate-500">Webhook authentication key</span>
            <SigningKey masked={maskedKey} reveal={canEdit ? revealSigningKeyAction : undefined} />
          </div>
        }
      />
    </>
  );
}
