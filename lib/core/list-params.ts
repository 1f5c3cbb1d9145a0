import { z } from "zod";
import { unstorableTextReason } from "@/lib/core/storable";

// The URL contract every server-driven list shares: ?q=&sort=&dir=&page=&size=. Parsed on the
// server (the query runs there) and written by the DataTable component on the client. Pure: no
// React, no database, so lib/ query modules may import it.

export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_FILTER_LENGTH = 200;

export type SortDir = "asc" | "desc";

export interface TableParams<S extends string> {
  q: string;
  sort: S;
  dir: SortDir;
  page: number;
  size: number;
}

/** A raw search-params value as Next hands it to a page (repeated keys arrive as arrays). */
type RawValue = string | string[] | undefined;
export type RawSearchParams = Record<string, RawValue>;

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/**
 * Builds the schema for one list. Bad values never fail the page: an unknown sort key or
 * direction falls back to the default, a bad page to 1, an unsupported size to the default.
 */
export function tableParamsSchema<const S extends readonly [string, ...string[]]>(options: { sortKeys: S; defaultSort: S[number]; defaultDir?: SortDir }) {
  const defaultDir = options.defaultDir ?? "asc";
  return z.object({
    // Cut before the limit's last unit when it is half of a surrogate pair: half an emoji is not storable text.
    q: z.preprocess(first, z.string()).catch("").transform((s) => s.trim().slice(0, MAX_FILTER_LENGTH).replace(/[\uD800-\uDBFF]$/, "")),
    sort: z.preprocess(first, z.enum(options.sortKeys)).catch(options.defaultSort),
    dir: z.preprocess(first, z.enum(["asc", "desc"])).catch(defaultDir),
    page: z.preprocess(first, z.coerce.number().int().min(1).max(1_000_000)).catch(1),
    size: z.preprocess(first, z.coerce.number().refine((n) => (PAGE_SIZES as readonly number[]).includes(n))).catch(DEFAULT_PAGE_SIZE),
  });
}

/**
 * Parses raw search params (or a URLSearchParams) with a schema from tableParamsSchema. A value the
 * database cannot hold (a NUL, a lone surrogate) is treated like any other bad value: ignored,
 * instead of reaching a query and failing the page.
 */
export function parseTableParams<T>(schema: z.ZodType<T>, raw: RawSearchParams | URLSearchParams | undefined): T {
  const obj: RawSearchParams = raw instanceof URLSearchParams ? Object.fromEntries(raw.entries()) : (raw ?? {});
  const storable = Object.fromEntries(Object.entries(obj).filter(([, v]) => ![v ?? []].flat().some((s) => typeof s === "string" && unstorableTextReason(s))));
  return schema.parse(storable);
}

/**
 * The query string after applying a patch to the current params: empty values and defaults are
 * dropped so URLs stay short, and any change other than the page itself resets to page 1.
 */
export function patchSearchParams(current: URLSearchParams, patch: Partial<Record<"q" | "sort" | "dir" | "page" | "size", string | number | null>>): string {
  const next = new URLSearchParams(current);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined || value === "") next.delete(key);
    else next.set(key, String(value));
  }
  if (!("page" in patch)) next.delete("page");
  if (next.get("page") === "1") next.delete("page");
  const s = next.toString();
  return s ? `?${s}` : "";
}

/** "Showing 26–50 of 132" (en dash, as the design uses). */
export function showingText(page: number, size: number, total: number): string {
  if (total === 0) return "Showing 0 of 0";
  const from = (page - 1) * size + 1;
  const to = Math.min(page * size, total);
  return `Showing ${from}–${to} of ${total}`;
}

/**
 * Search text as Prisma's `contains` / `string_contains` must get it: they match with LIKE and do
 * not escape, so `%`, `_` and `\` are escaped here to be taken as the characters they are.
 */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);
