"use client";

import { PlugZap } from "lucide-react";
import { useId, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDuration, formatUtc } from "@/lib/core/format";
import { useRuleForm } from "./fields";
import { RuleFormSection } from "./tabs";
import { testConnectionAction } from "./test-connection-action";

type ActionResponse = Awaited<ReturnType<typeof testConnectionAction>>;
type TestResult = Extract<ActionResponse, { ok: true }>["data"];

/** The last Test Connection result of the saved rule, as the page hands it over. */
export interface LastTest {
  at: string;
  ok: boolean;
  status: number;
  title: string;
  /** From a test of an unsaved rule: lets the create action keep the result. */
  receipt?: string;
}

export interface TestConnectionProps {
  idPrefix: string;
  ruleId?: string;
  /** Viewers see when the rule was last tested, but cannot send anything. */
  readOnly: boolean;
  lastTest: LastTest | null;
  onTested: (test: LastTest) => void;
  /** The action refused the values: put its field errors on the form. */
  onFieldErrors: (fieldErrors: Record<string, string[]>) => void;
  /** The form does not validate: show the first error (it may be on another tab). */
  onInvalid: () => void;
}

function statusText(status: number): string {
  if (status === 999) return "No response";
  if (status === 0) return "Not sent";
  return `Status ${status}`;
}

/**
 * Test Connection: sends a sample lead with the values in the form (saved or not) and explains
 * the outcome. The result sits in a live region so a screen reader announces it.
 */
export function TestConnection({ idPrefix, ruleId, readOnly, lastTest, onTested, onFieldErrors, onInvalid }: TestConnectionProps) {
  const { trigger, getValues } = useRuleForm();
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const excerptId = useId();

  async function run() {
    // Validated like Save (the server parses the same schema), but without submitting the form.
    if (!(await trigger())) return onInvalid();
    setPending(true);
    setError(null);
    setResult(null);
    try {
      const res = await testConnectionAction({ ruleId, values: getValues() });
      if (!res.ok) {
        if (res.fieldErrors) onFieldErrors(res.fieldErrors);
        setError(res.error);
        return;
      }
      setResult(res.data);
      onTested({ at: res.data.testedAt, ok: res.data.ok, status: res.data.status, title: res.data.title, receipt: res.data.receipt });
    } catch {
      setError("The test could not be run. Check your connection and try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <RuleFormSection
      id={`${idPrefix}-test-heading`}
      title="Test Connection"
      description="Sends a sample lead to the URL with the settings in this form, saved or not, marked with a Leadhooks-Test: true header."
    >
      {!readOnly && (
        <Button variant="secondary" disabled={pending} onClick={run}>
          <PlugZap aria-hidden className="h-4 w-4" />
          {pending ? "Testing…" : "Test Connection"}
        </Button>
      )}
      <p className="text-sm text-slate-600">
        {lastTest ? (
          <>
            Last tested <time dateTime={lastTest.at}>{formatUtc(lastTest.at)}</time>: {lastTest.ok ? "passed" : "failed"}
            {lastTest.title ? ` — ${lastTest.title}` : ""}
          </>
        ) : (
          "Not tested yet."
        )}
      </p>
      <div role="status" aria-live="polite" aria-label="Test Connection result">
        {pending && <p className="text-sm text-slate-500">Sending the sample lead…</p>}
        {error && <p className="rounded-md bg-red-50 px-3 py-2 text-sm font-medium text-red-700">{error}</p>}
        {result && (
          <div className="space-y-3 rounded-md p-4 ring-1 ring-slate-200">
            <p className="flex flex-wrap items-center gap-3 text-sm text-slate-700">
              <Badge tone={result.ok ? "green" : "red"}>{result.ok ? "Success" : "Failed"}</Badge>
              <span>{statusText(result.status)}</span>
              <span>{formatDuration(result.durationMs)}</span>
            </p>
            <div>
              <p className="text-sm font-semibold text-slate-900">{result.title}</p>
              {result.detail && <p className="mt-1 text-sm text-slate-600">{result.detail}</p>}
            </div>
            {result.responseExcerpt && (
              <div>
                <p id={excerptId} className="text-xs font-medium text-slate-500">
                  Response body
                </p>
                <pre role="group" aria-labelledby={excerptId} tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded bg-slate-50 p-3 text-xs whitespace-pre-wrap break-all text-slate-800">
                  {result.responseExcerpt}
                </pre>
              </div>
            )}
          </div>
        )}
      </div>
    </RuleFormSection>
  );
}
