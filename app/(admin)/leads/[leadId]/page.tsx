import { Pencil } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { deliveryResponseValues } from "@/lib/delivery/log/queries";
import { NotFoundError } from "@/lib/core/errors";
import { eventLabel } from "@/lib/domain/event-types";
import { displayValue } from "@/lib/leads/form-values";
import { listLeadEvents } from "@/lib/leads/history";
import { displayName } from "@/lib/leads/list";
import { getLeadWithOutcomes } from "@/lib/leads/queries";
import { DateTime } from "../format-date";
import { heldState } from "@/lib/delivery/policy/held";
import { LeadWebhooks, type LeadWebhookRow } from "./lead-webhooks";
import { chainNote, inChainOrder } from "@/lib/delivery/log/chain";
import { NoteForm } from "./note-form";

export const metadata: Metadata = { title: "Lead" };

function Detail({ label, value, code = false }: { label: string; value: React.ReactNode; code?: boolean }) {
  return (
    <div>
      {/* Custom field names are identifiers (case matters), so they are shown as typed. */}
      <dt className={code ? "font-mono text-xs text-slate-500" : "text-xs font-medium uppercase tracking-wide text-slate-500"}>{label}</dt>
      <dd className="mt-0.5 break-words text-sm text-slate-900">{value ?? <span className="text-slate-500">—</span>}</dd>
    </div>
  );
}

export default async function LeadPage({ params }: { params: Promise<{ leadId: string }> }) {
  const { leadId } = await params;
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const prisma = await db();
  // Another organization's lead looks exactly like one that does not exist.
  const details = await getLeadWithOutcomes(prisma, user.organizationId, leadId).catch((err: unknown) => {
    if (err instanceof NotFoundError) notFound();
    throw err;
  });
  const { lead, notes, latestPerRule } = details;
  const [events, responseValues] = await Promise.all([
    listLeadEvents(prisma, user.organizationId, lead.id),
    deliveryResponseValues(prisma, user.organizationId, latestPerRule.map((d) => d.id)),
  ]);
  const canEdit = user.role === "ADMIN";
  const title = displayName(lead) ?? lead.email ?? lead.phone ?? "Lead";
  const customFields = Object.entries((lead.customFields ?? {}) as Record<string, unknown>);
  const webhooks: LeadWebhookRow[] = inChainOrder(latestPerRule.map((d) => ({
    deliveryId: d.id,
    parentDeliveryId: d.parent?.id ?? null,
    chain: d.parent && d.chainKind ? chainNote(d.chainKind, { ruleTitle: d.parent.rule.title, state: d.parent.state, lastError: d.parent.lastError }) : null,
    ruleTitle: d.rule.title,
    eventType: d.event.type,
    state: d.state,
    attempts: d.attemptCount,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    held: heldState(d),
    responseValues: responseValues.get(d.id) ?? null,
    updatedAt: d.updatedAt,
  })));

  return (
    <>
      <PageHeader
        title={title}
        description={
          <>
            Lead <span className="font-mono text-xs">{lead.id}</span> · created <DateTime value={lead.createdAt} />
          </>
        }
        actions={
          <>
            <Link href="/leads" className={buttonClass("secondary")}>
              Back to leads
            </Link>
            {canEdit && (
              <Link href={`/leads/${encodeURIComponent(lead.id)}/edit`} className={buttonClass("primary")}>
                <Pencil aria-hidden className="h-4 w-4" />
                Edit lead
              </Link>
            )}
          </>
        }
      />
      {/* Full width: the latest outcome per rule, with View delivery and Retry, is what people come for. */}
      <Card
        className="mb-6"
        title="Webhooks"
        description="The latest delivery of each rule that fired for this lead. A retry re-sends the same request; it never creates a new lead or event."
      >
        <LeadWebhooks rows={webhooks} canRetry={canEdit} />
      </Card>
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="Details">
            <dl className="grid gap-4 sm:grid-cols-2">
              <Detail label="Email" value={lead.email} />
              <Detail label="Phone" value={lead.phone} />
              <Detail label="First name" value={lead.firstName} />
              <Detail label="Last name" value={lead.lastName} />
              <Detail label="Status" value={lead.status && `${lead.status}${lead.substatus ? ` › ${lead.substatus}` : ""}`} />
              <Detail label="Case type" value={lead.caseType} />
              <Detail label="Office" value={lead.office} />
              <Detail label="Opportunity Source" value={lead.opportunitySource} />
              <Detail label="Marketing Source" value={lead.marketingSource} />
              <Detail label="Case tracker code" value={lead.caseTrackerCode} />
              <Detail label="Score" value={lead.score} />
              <Detail label="Updated" value={<DateTime value={lead.updatedAt} />} />
            </dl>
          </Card>
          <Card title="Custom fields">
            {customFields.length === 0 ? (
              <p className="text-sm text-slate-500">No custom fields.</p>
            ) : (
              <dl className="grid gap-4 sm:grid-cols-2">
                {customFields.map(([name, value]) => (
                  <Detail key={name} label={name} code value={<span className="font-mono text-xs">{displayValue(value) || "(empty)"}</span>} />
                ))}
              </dl>
            )}
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Notes">
            <div className="space-y-4">
              {canEdit && <NoteForm leadId={lead.id} />}
              {notes.length === 0 ? (
                <p className="text-sm text-slate-500">No notes yet.</p>
              ) : (
                <ol className="space-y-3">
                  {notes.map((note) => (
                    <li key={note.id} className="rounded-md bg-slate-50 px-3 py-2 ring-1 ring-inset ring-slate-200">
                      <p className="whitespace-pre-wrap break-words text-sm text-slate-900">{note.body}</p>
                      <p className="mt-1 text-xs text-slate-500">
                        {note.author ? `${note.author} · ` : ""}
                        <DateTime value={note.createdAt} />
                      </p>
                    </li>
                  ))}
                </ol>
              )}
            </div>
          </Card>
          <Card title="Event history">
            {events.length === 0 ? (
              <p className="text-sm text-slate-500">No events.</p>
            ) : (
              <ol aria-label="Event history" className="space-y-2.5">
                {events.map((event) => (
                  <li key={event.id} className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
                    <span className="font-medium text-slate-900">{eventLabel(event.type)}</span>
                    <span className="text-xs text-slate-500">
                      <DateTime value={event.createdAt} />
                      {event._count.deliveries > 0 && ` · ${event._count.deliveries} ${event._count.deliveries === 1 ? "delivery" : "deliveries"}`}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
