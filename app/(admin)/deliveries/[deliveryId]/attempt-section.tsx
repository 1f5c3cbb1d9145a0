import { statusCodeText } from "@/components/delivery-log/delivery-state-badge";
import { attemptDiagnosis } from "@/lib/delivery/log/attempt-diagnosis";
import { formatDuration, formatUtc } from "@/lib/core/format";
import { Badge } from "@/components/ui/badge";
import { MAX_RESPONSE_BYTES } from "@/lib/delivery/transport/http-client";
import type { DeliveryAttemptView } from "@/lib/delivery/log/queries";
import { BodyBlock, HeadersBlock, Subheading } from "./http-blocks";

function statusTone(code: number) {
  if (code >= 200 && code < 300) return "green" as const;
  if (code === 999 || code >= 500) return "red" as const;
  return "yellow" as const;
}

/** One attempt as a disclosure: the summary line is always visible, the exchange on demand. */
export function AttemptSection({ attempt, open, reason = null }: { attempt: DeliveryAttemptView; open: boolean; reason?: string | null }) {
  const a = attempt;
  const diagnosis = attemptDiagnosis(a, reason);
  const parsed = a.parsedError;
  return (
    <details open={open} className="group rounded-lg bg-white shadow-sm ring-1 ring-slate-200">
      <summary className="flex cursor-pointer flex-wrap items-center gap-x-4 gap-y-1 px-5 py-3 text-sm marker:text-slate-400">
        <h3 className="inline font-semibold text-slate-900">Attempt {a.number}</h3>
        <Badge tone={statusTone(a.statusCode)}>{statusCodeText(a.statusCode)}</Badge>
        <span className="text-slate-600">
          <time dateTime={a.startedAt.toISOString()}>{formatUtc(a.startedAt)}</time>
        </span>
        <span className="text-slate-500">{formatDuration(a.durationMs)}</span>
        {a.errorClass && <span className="font-mono text-xs text-red-700">{a.errorClass}</span>}
        {diagnosis && <span className="text-red-700">{diagnosis.title}</span>}
      </summary>
      <div className="space-y-1 border-t border-slate-200 px-5 py-4">
        <dl className="mb-3 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">Status code</dt>
          <dd className="font-mono">{statusCodeText(a.statusCode)}</dd>
          <dt className="text-slate-500">Duration</dt>
          <dd>{formatDuration(a.durationMs)}</dd>
          {(a.errorClass || a.errorMessage) && (
            <>
              <dt className="text-slate-500">Error</dt>
              <dd className="text-red-700">
                {a.errorClass && <span className="font-mono">{a.errorClass}</span>}
                {a.errorClass && a.errorMessage && ": "}
                {a.errorMessage}
              </dd>
            </>
          )}
          {diagnosis && (
            <>
              <dt className="text-slate-500">Diagnosis</dt>
              <dd>
                <span className="block font-medium text-slate-900">{diagnosis.title}</span>
                {diagnosis.detail && <span className="block text-slate-600">{diagnosis.detail}</span>}
              </dd>
            </>
          )}
          {parsed?.code && (
            <>
              <dt className="text-slate-500">Error code</dt>
              <dd className="break-all font-mono text-xs leading-5">{parsed.code}</dd>
            </>
          )}
          {parsed?.message && (
            <>
              <dt className="text-slate-500">Error message</dt>
              <dd className="break-words">{parsed.message}</dd>
            </>
          )}
          {parsed?.field && (
            <>
              <dt className="text-slate-500">Error field</dt>
              <dd className="break-all font-mono text-xs leading-5">{parsed.field}</dd>
            </>
          )}
          <dt className="text-slate-500">Request</dt>
          <dd className="break-all font-mono text-xs leading-5">
            {a.requestMethod} {a.requestUrl}
          </dd>
        </dl>
        <Subheading level={4}>Request headers (credentials redacted)</Subheading>
        <HeadersBlock headers={a.requestHeaders} label={`Attempt ${a.number} request headers`} />
        <Subheading level={4}>Response headers</Subheading>
        <HeadersBlock headers={a.responseHeaders} label={`Attempt ${a.number} response headers`} />
        <Subheading level={4}>Response body</Subheading>
        {a.bodyTruncated && (
          <p role="note" className="mb-1.5 text-xs text-amber-700">
            The response was longer than {MAX_RESPONSE_BYTES / 1024} KB; only the first {MAX_RESPONSE_BYTES / 1024} KB were kept.
          </p>
        )}
        <BodyBlock body={a.responseBody} label={`Attempt ${a.number} response body`} />
      </div>
    </details>
  );
}
