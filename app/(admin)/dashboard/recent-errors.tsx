import Link from "next/link";
import { statusCodeText } from "@/components/delivery-log/delivery-state-badge";
import { formatUtc } from "@/lib/core/format";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import type { RecentError } from "@/lib/dashboard/queries";

/** The latest failed attempts, each with what it means in plain language and a way to its delivery. */
export function RecentErrors({ errors, label }: { errors: RecentError[]; label: string }) {
  return (
    <Card
      title="Recent errors"
      description={`The latest failed attempts, ${label}, with what to check.`}
      footer={
        errors.length > 0 && (
          <Link href="/deliveries?state=FAILED" className="text-sm font-medium text-brand-700 hover:underline">
            All failed deliveries
          </Link>
        )
      }
    >
      {errors.length === 0 ? (
        <p className="text-sm text-slate-500">No failed attempts in the {label}.</p>
      ) : (
        <ul aria-label="Recent errors" className="-my-4 divide-y divide-slate-100">
          {errors.map((e) => (
            <li key={e.attemptId} className="py-3">
              <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
                <Badge tone={e.statusCode === 999 || e.statusCode >= 500 ? "red" : "yellow"}>{statusCodeText(e.statusCode)}</Badge>
                <Link href={`/rules/${encodeURIComponent(e.rule.id)}`} className="font-medium text-slate-900 hover:underline">
                  {e.rule.title}
                </Link>
                <time dateTime={e.startedAt.toISOString()} className="text-slate-500">
                  {formatUtc(e.startedAt)}
                </time>
                <Link href={`/deliveries/${encodeURIComponent(e.deliveryId)}`} className="ml-auto text-sm font-medium text-brand-700 hover:underline">
                  View delivery<span className="sr-only"> {e.deliveryId}</span>
                </Link>
              </div>
              <p className="mt-1 text-sm font-medium text-red-700">{e.diagnosis.title}</p>
              {e.diagnosis.detail && <p className="mt-0.5 text-sm text-slate-600">{e.diagnosis.detail}</p>}
              {/* The client's own words, unless the diagnosis already quotes them. */}
              {(e.errorClass || e.errorMessage) && !(e.errorMessage && e.diagnosis.detail.includes(e.errorMessage)) && (
                <p className="mt-0.5 break-words font-mono text-xs text-slate-500">
                  {e.errorClass}
                  {e.errorClass && e.errorMessage && ": "}
                  {e.errorMessage}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
