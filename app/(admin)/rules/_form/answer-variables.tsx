"use client";

import { createContext, useContext } from "react";
import type { AnswerPath } from "@/lib/rules/answer-paths";

// The organization's kept client answers (answers.<rule id>.<name>), given to the rule form by its
// page (around the form): the field picker offers them and the template editors list them.

const AnswerPathsContext = createContext<readonly AnswerPath[]>([]);

export function AnswerPathsProvider({ paths, children }: { paths: readonly AnswerPath[]; children: React.ReactNode }) {
  return <AnswerPathsContext value={paths}>{children}</AnswerPathsContext>;
}

export function useAnswerPaths(): readonly AnswerPath[] {
  return useContext(AnswerPathsContext);
}

/** The answers a template can insert, each as its Liquid tag with the rule and value it comes from; nothing when no rule keeps one. */
export function AnswerVariables() {
  const paths = useAnswerPaths();
  if (!paths.length) return null;
  return (
    <details className="mt-2 text-xs text-slate-600">
      <summary className="cursor-pointer select-none">Earlier rules&apos; answers ({paths.length})</summary>
      <p className="mt-1">What a rule&apos;s response parser kept from its client, once that rule has delivered the lead (empty before):</p>
      <ul className="mt-1 space-y-0.5">
        {paths.map((p) => (
          <li key={p.path}>
            <code className="rounded bg-slate-100 px-1 font-mono text-[11px] text-slate-700">{`{{ ${p.path} }}`}</code> {p.label}
          </li>
        ))}
      </ul>
    </details>
  );
}
