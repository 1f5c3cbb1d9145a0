import { Plus, Send } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { getDashboard } from "@/lib/dashboard/queries";
import { parseRange } from "@/lib/dashboard/range";
import { db } from "@/lib/db";
import { AutoDisabledRules } from "./auto-disabled-rules";
import { DeliveriesOverTime } from "./deliveries-over-time";
import { HeadlineStats } from "./headline-stats";
import { RangeSwitch } from "./range-switch";
import { RecentErrors } from "./recent-errors";
import { RulesHealth } from "./rules-health";

export const metadata: Metadata = { title: "Dashboard" };

// The organization's home page: how its webhooks are doing. Read-only, so viewers see it too.
export default async function DashboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const range = parseRange((await searchParams).range);
  const prisma = await db();
  const [data, org] = await Promise.all([
    getDashboard(prisma, user.organizationId, range),
    prisma.organization.findUniqueOrThrow({ where: { id: user.organizationId }, select: { webhooksEnabled: true } }),
  ]);
  const label = data.window.label;

  return (
    <>
      <PageHeader title="Dashboard" description={`How your webhooks are doing over the ${label}. Times are UTC.`} actions={data.hasDeliveries && <RangeSwitch current={range} />} />
      {!data.hasDeliveries ? (
        <Card>
          <EmptyState
            icon={<Send aria-hidden className="h-8 w-8" />}
            title="No deliveries yet"
            description={
              org.webhooksEnabled
                ? "Deliveries appear here when a lead event matches an enabled webhook rule."
                : "Deliveries appear here when a lead event matches an enabled webhook rule. Webhooks are turned off for your organization: an admin can enable them in Settings."
            }
            action={
              user.role === "ADMIN" ? (
                <Link href="/rules/new" className={buttonClass("primary")}>
                  <Plus aria-hidden className="h-4 w-4" />
                  Create a webhook rule
                </Link>
              ) : (
                <Link href="/rules" className={buttonClass("secondary")}>
                  View webhook rules
                </Link>
              )
            }
          />
        </Card>
      ) : (
        <div className="space-y-6">
          <HeadlineStats totals={data.totals} label={label} />
          <AutoDisabledRules rules={data.autoDisabled} />
          <DeliveriesOverTime window={data.window} series={data.series} totals={data.totals} />
          <RulesHealth rules={data.rules} label={label} />
          <RecentErrors errors={data.recentErrors} label={label} />
        </div>
      )}
    </>
  );
}
