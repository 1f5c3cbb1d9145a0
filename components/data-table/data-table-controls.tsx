"use client";

import { ChevronLeft, ChevronRight, Search } from "lucide-react";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useId, useRef, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import { cn } from "@/components/ui/cn";
import { PAGE_SIZES, patchSearchParams, showingText } from "@/lib/core/list-params";

type Patch = Parameters<typeof patchSearchParams>[1];

/** Writes list state into the URL; the server component re-renders with the new page. */
export function useTableNavigation() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();
  return {
    pending,
    go(patch: Patch) {
      const href = `${pathname}${patchSearchParams(new URLSearchParams(searchParams.toString()), patch)}`;
      // replace, not push: sorting and typing should not fill the back button's history.
      startTransition(() => router.replace(href, { scroll: false }));
    },
  };
}

export const FILTER_DEBOUNCE_MS = 300;

/** The "Filter" box: updates the URL (and so the server query) once typing pauses. */
export function DataTableFilter({ q, placeholder, onChange }: { q: string; placeholder?: string; onChange: (value: string) => void }) {
  const id = `filter-${useId().replace(/:/g, "")}`;
  const [text, setText] = useState(q);
  const [seenQ, setSeenQ] = useState(q);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  // The URL changed under us (back button, a link): show what the list is filtered by.
  if (seenQ !== q) {
    setSeenQ(q);
    setText(q);
  }
  useEffect(() => () => clearTimeout(timer.current), []);

  function update(value: string) {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      if (value.trim() !== q) onChange(value.trim());
    }, FILTER_DEBOUNCE_MS);
  }

  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        Filter
      </label>
      <div className="relative w-full max-w-xs">
        <Search aria-hidden className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-slate-400" />
        <input
          id={id}
          type="search"
          value={text}
          placeholder={placeholder}
          autoComplete="off"
          onChange={(e) => update(e.target.value)}
          onKeyDown={(e) => {
            // Enter applies at once instead of waiting for the debounce.
            if (e.key === "Enter") {
              clearTimeout(timer.current);
              if (text.trim() !== q) onChange(text.trim());
            }
          }}
          className={cn(inputClass, "pl-8")}
        />
      </div>
    </div>
  );
}

export function DataTablePagination({
  page,
  pageCount,
  size,
  total,
  pending,
  onPage,
  onSize,
}: {
  page: number;
  pageCount: number;
  size: number;
  total: number;
  pending: boolean;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
}) {
  const sizeId = `page-size-${useId().replace(/:/g, "")}`;
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center gap-3 text-sm text-slate-600">
      <p aria-live="polite">{showingText(page, size, total)}</p>
      <div className="flex items-center gap-1.5">
        <Button variant="secondary" size="sm" disabled={page <= 1 || pending} onClick={() => onPage(page - 1)}>
          <ChevronLeft aria-hidden className="h-3.5 w-3.5" />
          Previous
        </Button>
        <span className="px-1 text-xs text-slate-500">
          Page {page} of {pageCount}
        </span>
        <Button variant="secondary" size="sm" disabled={page >= pageCount || pending} onClick={() => onPage(page + 1)}>
          Next
          <ChevronRight aria-hidden className="h-3.5 w-3.5" />
        </Button>
      </div>
      <div className="flex items-center gap-1.5">
        <label htmlFor={sizeId} className="whitespace-nowrap text-xs text-slate-500">
          Rows per page
        </label>
        <select id={sizeId} value={size} onChange={(e) => onSize(Number(e.target.value))} className="h-8 rounded-md border-0 bg-white py-0 pl-2 pr-7 text-xs text-slate-900 shadow-sm ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-brand-500">
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </div>
    </nav>
  );
}
