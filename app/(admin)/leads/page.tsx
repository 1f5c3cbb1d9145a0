import { Plus } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { RawSearchParams } from "@/lib/core/list-params";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { listLeads, parseLeadListParams } from "@/lib/leads/list";
import { LeadsTable } from "./leads-table";

export const metadata: Metadata = { title: "Leads" };

export default async function LeadsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const params = parseLeadListParams(await searchParams);
  const list = await listLeads(await db(), user.organizationId, params);
  const canEdit = user.role === "ADMIN";

  return (
    <>
      <PageHeader
        title="Leads"
        description="Every lead with the outcome of the webhooks it fired. Open a lead to see each delivery and retry it."
        actions={
          canEdit && (
            <Link href="/leads/new" className={buttonClass("primary")}>
              <Plus aria-hidden className="h-4 w-4" />
              New lead
            </Link>
          )
        }
      />
      <LeadsTable {...list} sort={params.sort} dir={params.dir} q={params.q} canEdit={canEdit} />
    </>
  );
}
