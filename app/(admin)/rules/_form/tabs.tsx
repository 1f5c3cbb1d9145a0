"use client";

import { AlertCircle } from "lucide-react";
import { useRef } from "react";
import { cn } from "@/components/ui/cn";

export interface RuleFormTab<Id extends string = string> {
  id: Id;
  label: string;
  /** Marks the tab so an error on a panel that is not shown is still noticed. */
  hasError?: boolean;
}

export function tabId(prefix: string, id: string): string {
  return `${prefix}-tab-${id}`;
}

export function panelId(prefix: string, id: string): string {
  return `${prefix}-panel-${id}`;
}

/**
 * The WAI-ARIA tabs pattern: one tab in the Tab order (roving tabindex), arrow keys and
 * Home/End move between tabs and select them. The panels are rendered by the caller with
 * <RuleFormTabPanel>, all of them mounted so the form keeps every field registered.
 */
export function RuleFormTabs<Id extends string>({
  tabs,
  active,
  onChange,
  idPrefix,
  label,
}: {
  tabs: RuleFormTab<Id>[];
  active: Id;
  onChange: (id: Id) => void;
  idPrefix: string;
  label: string;
}) {
  const refs = useRef(new Map<Id, HTMLButtonElement>());

  function select(index: number) {
    const tab = tabs[(index + tabs.length) % tabs.length];
    if (!tab) return;
    onChange(tab.id);
    refs.current.get(tab.id)?.focus();
  }

  function onKeyDown(event: React.KeyboardEvent, index: number) {
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(target);
  }

  return (
    // On a phone the tabs scroll sideways instead of widening the page; the base line is an inset
    // shadow (not a border the tabs overlap), so the scroll box clips nothing of the active tab.
    <div role="tablist" aria-label={label} className="flex gap-1 overflow-x-auto shadow-[inset_0_-1px_0_var(--color-slate-200)]">
      {tabs.map((tab, index) => {
        const selected = tab.id === active;
        return (
          <button
            key={tab.id}
            ref={(el) => {
              if (el) refs.current.set(tab.id, el);
              else refs.current.delete(tab.id);
            }}
            type="button"
            role="tab"
            id={tabId(idPrefix, tab.id)}
            aria-selected={selected}
            aria-controls={panelId(idPrefix, tab.id)}
            tabIndex={selected ? 0 : -1}
            onClick={() => onChange(tab.id)}
            onKeyDown={(e) => onKeyDown(e, index)}
            className={cn(
              "inline-flex shrink-0 items-center gap-1.5 border-b-2 px-3 py-2.5 text-sm font-medium focus-visible:-outline-offset-2 focus-visible:outline-2 focus-visible:outline-brand-500 sm:px-4",
              selected ? "border-brand-600 text-brand-700" : "border-transparent text-slate-500 hover:border-slate-300 hover:text-slate-700",
              tab.hasError && "text-red-600",
            )}
          >
            {tab.label}
            {tab.hasError && (
              <>
                <AlertCircle aria-hidden className="h-4 w-4" />
                <span className="sr-only">(has errors)</span>
              </>
            )}
          </button>
        );
      })}
    </div>
  );
}

export function RuleFormTabPanel({ idPrefix, id, active, children }: { idPrefix: string; id: string; active: boolean; children: React.ReactNode }) {
  return (
    <div role="tabpanel" id={panelId(idPrefix, id)} aria-labelledby={tabId(idPrefix, id)} hidden={!active} tabIndex={0} className="space-y-8 py-6 focus-visible:outline-none">
      {children}
    </div>
  );
}

/**
 * A titled group of fields inside a tab (Description, URL, Trigger, …). Deliberately not a
 * labelled region: "URL" and "Trigger" name both a section and its field, and the field must be
 * the one thing found by that label.
 */
export function RuleFormSection({
  id,
  title,
  description,
  wide = false,
  children,
}: {
  id: string;
  title: string;
  description?: React.ReactNode;
  /** Tables with several columns: the fields take the full width, under the title. */
  wide?: boolean;
  children: React.ReactNode;
}) {
  if (wide) {
    return (
      <section className="space-y-4">
        <div>
          <h2 id={id} className="text-sm font-semibold text-slate-900">
            {title}
          </h2>
          {description && <p className="mt-1 max-w-3xl text-sm text-slate-500">{description}</p>}
        </div>
        <div className="space-y-4">{children}</div>
      </section>
    );
  }
  return (
    <section className="grid gap-4 md:grid-cols-3 md:gap-8">
      <div>
        <h2 id={id} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {description && <p className="mt-1 text-sm text-slate-500">{description}</p>}
      </div>
      <div className="space-y-4 md:col-span-2">{children}</div>
    </section>
  );
}
