import { ArrowLeft } from "lucide-react";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { DeliveryStateBadge, statusCodeText } from "@/components/delivery-log/delivery-state-badge";
import { heldNotice, heldState } from "@/lib/delivery/policy/held";
import { formatUtc } from "@/lib/core/format";
import { ResponseValues } from "@/components/delivery-log/response-values";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { getSessionUser } from "@/lib/auth/session";
import { db } from "@/lib/db";
import { NotFoundError } from "@/lib/core/errors";
import { getDelivery } from "@/lib/delivery/log/queries";
import { AttemptSection } from "./attempt-section";
import { POLL_LIMIT_MS } from "@/components/delivery-log/polling";
import { DeliveryControls } from "./delivery-controls";
import { BodyBlock, HeadersBlock, Subheading } from "./http-blocks";

export const metadata: Metadata = { title: "Delivery" };

const linkClass = "font-medium text-brand-700 hover:underline";

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt className="text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-slate-900">{children}</dd>
    </>
  );
}

export default async function DeliveryPage({ params }: { params: Promise<{ deliveryId: string }> }) {
  const { deliveryId } = await params;
  const user = await getSessionUser();
  if (!user) redirect("/login");
  const prisma = await db();
  // Another organization's delivery looks exactly like one that does not exist.
  const d = await getDelivery(prisma, user.organizationId, deliveryId).catch((err: unknown) => {
    if (err instanceof NotFoundError) notFound();
    throw err;
  });
  // Due now or soon: the page keeps itself current while the dispatcher works on it.
  const watching = d.state === "PENDING" && (d.nextAttemptAt === null || d.nextAttemptAt.getTime() - Date.now() < POLL_LIMIT_MS);
  const attempts = [...d.attempts].reverse(); // newest first: the latest answer is what people look for
  const lead = d.lead;
  const held = heldState(d);

  return (
    <>
      <Link href="/deliveries" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-600 hover:text-slate-900">
        <ArrowLeft aria-hidden className="h-4 w-4" />
        Deliveries
      </Link>
      <PageHeader
        title={d.isTest ? "Test delivery" : "Delivery"}
        description={`${d.event.label} to ${d.rule.title}`}
        actions={<DeliveryControls deliveryId={d.id} canRetry={user.role === "ADMIN"} canSendAnyway={user.role === "ADMIN" && d.state === "SKIPPED" && d.duplicateOfId !== null} watching={watching} />}
      />
      <div className="space-y-6">
        {d.state === "SKIPPED" && (
          // Why nothing was sent is the one thing to know about a skipped delivery.
          <p className="rounded-lg bg-slate-100 px-5 py-3 text-sm font-medium text-slate-900 ring-1 ring-inset ring-slate-300">
            {/* The engine's reasons already read "Skipped: …"; older or hand-written ones may not. */}
            Skipped: {d.lastError?.replace(/^skipped:\s*/i, "") || "no reason was recorded"}
            {d.duplicateOfId && (
              <>
                {" "}
                <Link href={`/deliveries/${encodeURIComponent(d.duplicateOfId)}`} className={linkClass}>
                  See the earlier delivery
                </Link>
              </>
            )}
          </p>
        )}
        {held && (
          // Held by the rule's own controls: why, and when it is due again, before anything else.
          <p className="rounded-lg bg-brand-50 px-5 py-3 text-sm font-medium text-brand-700 ring-1 ring-inset ring-brand-100">{heldNotice(held)}</p>
        )}
        <Card title="Summary">
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
            <Row label="State">
              <span className="inline-flex items-center gap-2">
                <DeliveryStateBadge state={d.state} attemptCount={d.attemptCount} held={held} />
                <span className="text-slate-600">
                  {d.attemptCount} {d.attemptCount === 1 ? "attempt" : "attempts"}
                </span>
              </span>
            </Row>
            <Row label="Rule">
              <Link href={`/rules/${encodeURIComponent(d.rule.id)}`} className={linkClass}>
                {d.rule.title}
              </Link>
            </Row>
            <Row label="Event">
              {d.event.label} <span className="font-mono text-xs text-slate-500">({d.event.type})</span>
            </Row>
            <Row label="Lead">
              {lead ? (
                <Link href={`/leads/${encodeURIComponent(lead.id)}`} className={linkClass}>
                  {lead.email ?? lead.name ?? lead.id}
                </Link>
              ) : (
                <span className="text-slate-500">{d.isTest ? "A test lead (see the request body)" : "Deleted lead"}</span>
              )}
            </Row>
            {(d.parent || d.children.length > 0) && (
              <Row label="Chain">
                <ul className="space-y-1">
                  {d.parent && (
                    <li>
                      <Link href={`/deliveries/${encodeURIComponent(d.parent.id)}`} className={linkClass}>
                        {d.parent.note}
                      </Link>
                    </li>
                  )}
                  {d.children.map((c) => (
                    <li key={c.id}>
                      <span aria-hidden className="mr-1 text-slate-400">→</span>
                      <Link href={`/deliveries/${encodeURIComponent(c.id)}`} className={linkClass}>
                        {c.kind === "FALLBACK" ? "Passed to its fallback" : "Passed to its linked rule"} {c.ruleTitle}
                      </Link>{" "}
                      <span className="text-slate-500">({c.state.toLowerCase()})</span>
                    </li>
                  ))}
                </ul>
              </Row>
            )}
            <Row label="Delivery id">
              <span className="font-mono text-xs">{d.id}</span>
              <span className="ml-2 text-xs text-slate-500">{d.batch ? "(the batch's id is sent as the webhook-id header instead)" : "(sent as the webhook-id header on every attempt)"}</span>
            </Row>
            {d.batch && (
              <Row label="Batch">
                <span className="font-mono text-xs">{d.batch.id}</span>
                <span className="ml-2">
                  sent in a batch of {d.batch.size}{" "}
                  <Link href={`/deliveries?batchId=${encodeURIComponent(d.batch.id)}`} className={linkClass}>
                    See the batch&apos;s deliveries
                  </Link>
                </span>
              </Row>
            )}
            <Row label="Created">
              <time dateTime={d.createdAt.toISOString()}>{formatUtc(d.createdAt)}</time>
            </Row>
            <Row label="Last status">{statusCodeText(d.lastStatusCode)}</Row>
            <Row label="Next attempt">{d.nextAttemptAt && d.state === "PENDING" ? <time dateTime={d.nextAttemptAt.toISOString()}>{formatUtc(d.nextAttemptAt)}</time> : "—"}</Row>
            {d.lastError && d.state !== "SKIPPED" && !held && (
              <Row label="Last error">
                <span className="text-red-700">{d.lastError}</span>
              </Row>
            )}
          </dl>
        </Card>

        {d.responseValues && (
          <Card title="Response values" description="Extracted from the latest response by the rule's response parser.">
            <ResponseValues values={d.responseValues} label="Response values" />
          </Card>
        )}

        <Card title="Request" description="Frozen when the event was recorded: every attempt sends these bytes. Signature headers and credentials are added per attempt.">
          <p className="mb-3 break-all font-mono text-sm">
            <span className="font-semibold">{d.request.method}</span> {d.request.url}
          </p>
          <Subheading level={3}>Headers</Subheading>
          <HeadersBlock headers={d.request.headers} label="Request headers" />
          <Subheading level={3}>Body</Subheading>
          <BodyBlock body={d.request.body} label="Request body" />
        </Card>

        <section aria-labelledby="attempts-heading" className="space-y-3">
          <h2 id="attempts-heading" className="text-base font-semibold text-slate-900">
            Attempts ({d.attempts.length})
          </h2>
          {attempts.length === 0 ? (
            <p className="rounded-lg bg-white px-5 py-4 text-sm text-slate-500 shadow-sm ring-1 ring-slate-200">{d.state === "SKIPPED" ? "Skipped before any attempt." : "Not attempted yet."}</p>
          ) : (
            // The delivery's last error is the latest attempt's reason (e.g. a failed body check).
            attempts.map((a, i) => <AttemptSection key={a.id} attempt={a} open={i === 0} reason={i === 0 && d.state !== "SKIPPED" ? d.lastError : null} />)
          )}
        </section>
      </div>
    </>
  );
}
