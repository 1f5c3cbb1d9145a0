"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTransition } from "react";
import { Button } from "@/components/ui/button";
import { Field, Input, Select, useFieldId } from "@/components/ui/field";
import type { DeliveryFilters } from "@/lib/delivery/log/list-params";

// The delivery log's own filters, beside the table's "Filter" box. Each change rewrites the URL
// (the server component runs the query) and goes back to page 1, like the table's controls.

type FilterKey = "ruleId" | "batchId" | "state" | "status" | "from" | "to";

const STATE_OPTIONS = [
  ["", "Any state"],
  ["PENDING", "Pending (incl. retrying)"],
  ["RETRYING", "Retrying"],
  ["SUCCEEDED", "Succeeded"],
  ["FAILED", "Failed"],
  ["SKIPPED", "Skipped"],
] as const;

const STATUS_OPTIONS = [
  ["", "Any status"],
  ["2xx", "2xx success"],
  ["3xx", "3xx redirect"],
  ["4xx", "4xx client error"],
  ["5xx", "5xx server error"],
  ["999", "999 no response"],
] as const;

/** A datetime-local input wants "YYYY-MM-DDTHH:mm"; the URL may hold a date or an ISO time. */
function toInputValue(v: string | undefined): string {
  if (!v) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T00:00`;
  return v.replace(/Z$/, "").slice(0, 16);
}

// Uncontrolled inputs keyed by the URL's value: what the user picked stays shown while the
// navigation runs, and a URL change (Clear, back button) resets them.
export function DeliveriesFilters({ filters, rules }: { filters: Omit<DeliveryFilters, "q">; rules: { id: string; title: string }[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  const ids = { rule: useFieldId("rule"), state: useFieldId("state"), status: useFieldId("status"), from: useFieldId("from"), to: useFieldId("to") };
  const statusIsExact = Boolean(filters.status && !STATUS_OPTIONS.some(([v]) => v === filters.status));

  function set(patch: Partial<Record<FilterKey, string>>) {
    const next = new URLSearchParams(searchParams.toString());
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    next.delete("page");
    const qs = next.toString();
    startTransition(() => router.replace(`${pathname}${qs ? `?${qs}` : ""}`, { scroll: false }));
  }

  const active = Boolean(filters.ruleId || filters.batchId || filters.state || filters.status || filters.from || filters.to);

  return (
    <div role="group" aria-label="Delivery filters" aria-busy={pending} className="mb-4 grid grid-cols-2 gap-3 rounded-lg bg-white p-4 shadow-sm ring-1 ring-slate-200 md:grid-cols-3 xl:grid-cols-6 xl:items-end">
      <Field label="Rule" htmlFor={ids.rule}>
        <Select id={ids.rule} key={filters.ruleId ?? ""} defaultValue={filters.ruleId ?? ""} onChange={(e) => set({ ruleId: e.target.value })}>
          <option value="">All rules</option>
          {rules.map((r) => (
            <option key={r.id} value={r.id}>
              {r.title}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="State" htmlFor={ids.state}>
        <Select id={ids.state} key={filters.state ?? ""} defaultValue={filters.state ?? ""} onChange={(e) => set({ state: e.target.value })}>
          {STATE_OPTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Status code" htmlFor={ids.status}>
        <Select id={ids.status} key={filters.status ?? ""} defaultValue={filters.status ?? ""} onChange={(e) => set({ status: e.target.value })}>
          {STATUS_OPTIONS.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
          {/* An exact code arrives by URL (e.g. ?status=503); keep it selectable. */}
          {statusIsExact && <option value={filters.status}>Exactly {filters.status}</option>}
        </Select>
      </Field>
      <Field label="From" htmlFor={ids.from} hint="UTC">
        <Input id={ids.from} type="datetime-local" key={filters.from ?? ""} defaultValue={toInputValue(filters.from)} onChange={(e) => set({ from: e.target.value })} aria-describedby={`${ids.from}-hint`} />
      </Field>
      <Field label="To" htmlFor={ids.to} hint="UTC">
        <Input id={ids.to} type="datetime-local" key={filters.to ?? ""} defaultValue={toInputValue(filters.to)} onChange={(e) => set({ to: e.target.value })} aria-describedby={`${ids.to}-hint`} />
      </Field>
      <div className="flex items-end xl:pb-5">
        <Button variant="secondary" disabled={!active || pending} onClick={() => set({ ruleId: "", batchId: "", state: "", status: "", from: "", to: "" })}>
          Clear filters
        </Button>
      </div>
      {filters.batchId && (
        // Set from a delivery's page ("See the batch's deliveries"); cleared with the others.
        <p className="col-span-full text-sm text-slate-700">
          Showing the deliveries sent in batch <span className="font-mono text-xs">{filters.batchId}</span>
        </p>
      )}
    </div>
  );
}
