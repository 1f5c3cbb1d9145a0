import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { FileDown } from "lucide-react";
import { patchSearchParams, type RawSearchParams } from "@/lib/core/list-params";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { filtersOf, hasDeliveryFilters, parseDeliveryListParams } from "@/lib/delivery/log/list-params";
import { countFailedMatching, listDeliveries } from "@/lib/delivery/log/queries";
import { DeliveriesFilters } from "./deliveries-filters";
import { DeliveriesTable } from "./deliveries-table";
import { ReplayForm } from "./replay-form";
import { RetryFailedButton } from "./retry-failed-button";

export const metadata: Metadata = { title: "Deliveries" };

export default async function DeliveriesPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const params = parseDeliveryListParams(await searchParams);
  const filters = filtersOf(params);
  const canRetry = user.role === "ADMIN";
  const prisma = await db();
  const [list, rules, failedCount] = await Promise.all([
    listDeliveries(prisma, user.organizationId, params),
    prisma.webhookRule.findMany({ where: { organizationId: user.organizationId }, orderBy: [{ title: "asc" }, { id: "asc" }], select: { id: true, title: true } }),
    canRetry ? countFailedMatching(prisma, user.organizationId, filters) : Promise.resolve(0),
  ]);
  const { q, ...controlFilters } = filters;
  // The export follows what the list shows: same filters, same order, every page.
  const exportHref = `/api/deliveries/export${patchSearchParams(new URLSearchParams(), { ...filters, sort: params.sort, dir: params.dir })}`;

  return (
    <>
      <PageHeader
        title="Deliveries"
        description="Every request sent for a lead event, with its attempts and responses. Times are UTC."
        actions={
          <>
            <a href={exportHref} download className={buttonClass("secondary")}>
              <FileDown aria-hidden className="h-4 w-4" />
              CSV
            </a>
            {canRetry && (
              <>
                <ReplayForm rules={rules} defaultRuleId={filters.ruleId} />
                <RetryFailedButton filters={filters} failedCount={failedCount} />
              </>
            )}
          </>
        }
      />
      <DeliveriesFilters filters={controlFilters} rules={rules} />
      <DeliveriesTable {...list} sort={params.sort} dir={params.dir} q={q} filtered={hasDeliveryFilters(controlFilters)} />
    </>
  );
}
