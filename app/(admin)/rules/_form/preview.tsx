"use client";

import { useEffect, useId, useRef, useState } from "react";
import { useWatch } from "react-hook-form";
import { previewRequestAction } from "./preview-action";
import { useRuleForm } from "./fields";
import { tabLabelOf } from "./tab-list";
import { RuleFormSection } from "./tabs";

type ActionResponse = Awaited<ReturnType<typeof previewRequestAction>>;
type Preview = Extract<ActionResponse, { ok: true }>["data"];

const DEBOUNCE_MS = 400;

/** The first field error, pointing at its tab ("Enter the token URL… (Authentication tab)"). */
function describeFailure(res: Extract<ActionResponse, { ok: false }>): string {
  const first = Object.entries(res.fieldErrors ?? {})[0];
  if (!first?.[1][0]) return res.error;
  const path = first[0].replace(/^values\./, "");
  return `${first[1][0]} (${tabLabelOf(path)} tab)`;
}

/**
 * The request a sample lead would produce with the form as it is now, rendered by the server (the
 * same code as real deliveries; credentials masked). Refreshed a moment after the admin stops
 * typing, only while the Request tab is shown; a slower, older answer never replaces a newer one.
 */
export function RuleFormPreview({ idPrefix, active }: { idPrefix: string; active: boolean }) {
  const { control, getValues } = useRuleForm();
  // Any change anywhere re-renders this component, which schedules a refresh below.
  const values = useWatch({ control });
  const [preview, setPreview] = useState<Preview | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);
  const bodyLabel = useId();
  const headersLabel = useId();

  useEffect(() => {
    if (!active) return;
    const call = ++latest.current;
    const timer = setTimeout(async () => {
      setLoading(true);
      try {
        const res = await previewRequestAction({ values: getValues() });
        if (call !== latest.current) return;
        if (res.ok) {
          setPreview(res.data);
          setFailure(null);
        } else {
          setFailure(describeFailure(res));
        }
      } catch {
        if (call === latest.current) setFailure("The preview could not be loaded.");
      } finally {
        if (call === latest.current) setLoading(false);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [active, values, getValues]);

  const rendered = preview?.ok ? preview : null;
  const renderError = failure ?? (preview && !preview.ok ? preview.error : null);

  return (
    <RuleFormSection
      id={`${idPrefix}-preview-heading`}
      title="Preview (sample lead)"
      description="What this rule would send for a sample lead with the settings above, before signing. Credentials are masked."
    >
      <div role="region" aria-labelledby={`${idPrefix}-preview-heading`} aria-busy={loading} className="space-y-3 rounded-md bg-slate-900 p-4 text-xs text-slate-100">
        {renderError && (
          <p className="rounded bg-red-950/60 px-2 py-1.5 font-sans text-sm text-red-200">
            Cannot render the request: {renderError}
            {preview && !preview.ok && preview.field ? ` (${preview.field})` : ""}
          </p>
        )}
        {!rendered && !renderError && <p className="font-sans text-slate-400">{loading || active ? "Rendering…" : "Open this tab to see the preview."}</p>}
        {rendered && (
          <>
            <p className="font-mono break-all">
              <span className="font-semibold text-emerald-300">{rendered.method}</span> {rendered.url}
            </p>
            <div>
              <p id={headersLabel} className="font-sans text-slate-400">
                Headers
              </p>
              <pre role="group" aria-labelledby={headersLabel} tabIndex={0} className="mt-1 overflow-x-auto whitespace-pre-wrap break-all">
                {rendered.headers.map(([name, value]) => `${name}: ${value}`).join("\n")}
              </pre>
            </div>
            <div>
              <p id={bodyLabel} className="font-sans text-slate-400">
                Body
              </p>
              <pre role="group" aria-labelledby={bodyLabel} tabIndex={0} className="mt-1 max-h-96 overflow-auto whitespace-pre-wrap break-all">
                {rendered.body || (rendered.method === "GET" ? "(no body: GET sends the fields in the query string)" : "(empty)")}
              </pre>
            </div>
          </>
        )}
      </div>
    </RuleFormSection>
  );
}
