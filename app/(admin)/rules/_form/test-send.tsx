"use client";

import { Send } from "lucide-react";
import Link from "next/link";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { formatDuration } from "@/lib/core/format";
import { BodyBlock, HeadersBlock } from "../../deliveries/[deliveryId]/http-blocks";
import { RuleFormSection } from "./tabs";
import { sendTestLeadAction } from "./test-send-action";

type TestSent = Extract<Awaited<ReturnType<typeof sendTestLeadAction>>, { ok: true }>["data"];

const heading = "text-xs font-semibold uppercase tracking-wide text-slate-500";

/**
 * Send a test lead: the saved rule's real pipeline (render, authentication, signature, response
 * rules), once, to its URL or a test URL; shows what was sent, what came back and the verdict.
 */
export function TestSend({ idPrefix, ruleId }: { idPrefix: string; ruleId: string }) {
  const [url, setUrl] = useState("");
  const [leadId, setLeadId] = useState("");
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TestSent | null>(null);
  const [error, setError] = useState<string | null>(null);
  const id = (name: string) => `${idPrefix}-test-send-${name}`;

  async function send() {
    setPending(true);
    setError(null);
    setResult(null);
    try {
      const res = await sendTestLeadAction({ ruleId, options: { url, leadId } });
      if (res.ok) setResult(res.data);
      else setError([res.error, ...Object.values(res.fieldErrors ?? {}).flat()].join(" "));
    } catch {
      setError("The test lead could not be sent. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <RuleFormSection
      id={id("heading")}
      title="Send a test lead"
      description="Sends the sample lead, or one of your leads, through this rule as saved (mapping, authentication, signature, response rules), once, marked with Leadhooks-Test: true. It shows in the delivery log as a test and never counts in statistics, health, duplicates or error reports."
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Test URL (optional)" htmlFor={id("url")} hint="Empty: the rule's URL.">
          <Input id={id("url")} type="url" inputMode="url" autoComplete="off" spellCheck={false} placeholder="https://hooks.example.com/test" value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <Field label="Lead id (optional)" htmlFor={id("lead")} hint="Empty: the sample lead.">
          <Input id={id("lead")} autoComplete="off" spellCheck={false} placeholder="lead_…" value={leadId} onChange={(e) => setLeadId(e.target.value)} />
        </Field>
      </div>
      <Button variant="secondary" disabled={pending} onClick={send}>
        <Send aria-hidden className="h-4 w-4" />
        {pending ? "Sending…" : "Send test lead"}
      </Button>
      <div role="status" aria-live="polite" aria-label="Test lead result">
        {error && <p className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">{error}</p>}
        {result && <TestSentPanel result={result} />}
      </div>
    </RuleFormSection>
  );
}

function TestSentPanel({ result }: { result: TestSent }) {
  const { request, response, outcome } = result;
  return (
    <div className="space-y-4 rounded-md p-4 ring-1 ring-slate-200">
      <p className="flex flex-wrap items-center gap-3 text-sm text-slate-700">
        <Badge tone={outcome.success ? "green" : "red"}>{outcome.success ? "Succeeded" : "Failed"}</Badge>
        <span>{response.status === 999 ? "No response" : `Status ${response.status}`}</span>
        <span>{formatDuration(response.durationMs)}</span>
        <Link href={`/deliveries/${encodeURIComponent(result.deliveryId)}`} className="font-medium text-brand-700 hover:underline">
          View the test delivery
        </Link>
      </p>
      <div>
        <p className="text-sm font-semibold text-slate-900">{outcome.title}</p>
        {outcome.detail && <p className="mt-1 text-sm text-slate-600">{outcome.detail}</p>}
        {outcome.reason && <p className="mt-1 text-sm text-red-700">Response rules: {outcome.reason}</p>}
        {outcome.values && Object.keys(outcome.values).length > 0 && (
          <p className="mt-1 text-sm text-slate-600">Extracted: {Object.entries(outcome.values).map(([k, v]) => `${k} = ${v}`).join(", ")}</p>
        )}
      </div>
      <section className="space-y-2" aria-label="Request sent">
        <p className={heading}>Request</p>
        <p className="break-all font-mono text-sm">
          <span className="font-semibold">{request.method}</span> {request.url}
        </p>
        <HeadersBlock headers={request.headers} label="Test request headers" />
        <BodyBlock body={request.body} label="Test request body" />
      </section>
      <section className="space-y-2" aria-label="Response received">
        <p className={heading}>Response</p>
        {response.error && <p className="text-sm text-red-700">{response.error}</p>}
        <HeadersBlock headers={response.headers} label="Test response headers" />
        <BodyBlock body={response.body} label="Test response body" />
      </section>
    </div>
  );
}
