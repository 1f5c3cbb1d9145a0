import type { BatchFormat } from "@/lib/domain/rule/batch";
import { csvEscape, text } from "./filters";

// One batch's request body, from the bodies its deliveries were rendered with (each a JSON
// object: batches need the JSON payload format). json: the bodies as a JSON array, each one's
// bytes as rendered. csv: a header row of the bodies' top-level keys (every key any body has, in
// the order they are first seen), then one row per body; a missing key is an empty cell, a nested
// value its JSON text; fields quoted per RFC 4180, lines ended with CRLF.

export interface BatchBody {
  body: string;
  contentType: string;
}

/** A rendered body as an object of top-level values (one that is not a JSON object becomes {body: its text}). */
function fieldsOf(body: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // not JSON: kept whole below
  }
  return { body };
}

const csvLine = (cells: readonly unknown[]) => `${cells.map((c) => csvEscape(text(c))).join(",")}\r\n`;

export function csvBatchBody(bodies: readonly string[]): string {
  const rows = bodies.map(fieldsOf);
  const header = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return csvLine(header) + rows.map((r) => csvLine(header.map((key) => r[key]))).join("");
}

export function jsonBatchBody(bodies: readonly string[]): string {
  return `[${bodies.join(",")}]`;
}

export function batchBody(bodies: readonly string[], format: BatchFormat): BatchBody {
  return format === "csv" ? { body: csvBatchBody(bodies), contentType: "text/csv; charset=utf-8" } : { body: jsonBatchBody(bodies), contentType: "application/json" };
}

/** The deliveries' headers with the batch's Content-Type (whatever case the rule wrote it in). */
export function batchHeaders(headers: Record<string, string>, contentType: string): Record<string, string> {
  const rest = Object.entries(headers).filter(([name]) => name.toLowerCase() !== "content-type");
  return { ...Object.fromEntries(rest), "Content-Type": contentType };
}
