import { ShieldAlert } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { emptyLeadFormValues } from "@/lib/leads/form-values";
import { getReferenceLists } from "@/lib/reference/queries";
import { LeadForm } from "../lead-form";

export const metadata: Metadata = { title: "New lead" };

export default async function NewLeadPage() {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  if (user.role !== "ADMIN") {
    // The action refuses viewers anyway; this only spares them a form they cannot save.
    return (
      <>
        <PageHeader title="New lead" />
        <div className="rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
          <EmptyState
            icon={<ShieldAlert aria-hidden className="h-8 w-8" />}
            title="You don't have permission to add leads"
            description="Your role is read only. Ask an admin of your organization to enter the lead."
            action={
              <Link href="/leads" className={buttonClass("secondary")}>
                Back to leads
              </Link>
            }
          />
        </div>
      </>
    );
  }
  const references = await getReferenceLists(await db(), user.organizationId);
  return (
    <>
      <PageHeader title="New lead" description="Creating a lead fires Lead Created to every matching webhook rule." />
      <LeadForm defaultValues={emptyLeadFormValues()} references={references} />
    </>
  );
}
