import type { PrismaClient } from "@/lib/generated/prisma/client";
import { csvEscape } from "@/lib/delivery/render/filters";
import { ANSWER_NAMES } from "@/lib/domain/rule/response";
import { otherAnswers } from "./answer";
import { deliveryListOrderBy, deliveryListWhere, listedSelect, toListed, type ListedDelivery } from "./queries";
import type { DeliveryListParams } from "./list-params";

// The delivery log as CSV: every delivery the list's filters select, in the list's order, with
// the client's answer (remoteId, result, reason, price in their own columns, any other extracted
// value in "Other answer values" as JSON), test sends and duplicates marked. Read in batches,
// written as it goes.

export const EXPORT_BATCH_SIZE = 1000;

const HEADER = ["Delivery id", "Created (UTC)", "Rule", "Event", "Lead", "State", "Test send", "Duplicate of", "Attempts", "Last status", "Last error", "Remote id", "Result", "Reason", "Price", "Other answer values"];

/** `deliveries-2026-11-30.csv` (UTC date). */
export function deliveriesExportFilename(now = new Date()): string {
  return `deliveries-${now.toISOString().slice(0, 10)}.csv`;
}

/**
 * One CSV field. Text a spreadsheet would run as a formula (=, +, @, or - before anything but a
 * number) is prefixed with an apostrophe: answers come from the clients' servers.
 */
export function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  const formula = /^[=+@\t\r]/.test(text) || (text.startsWith("-") && !/^-\d+(\.\d+)?$/.test(text));
  return csvEscape(formula ? `'${text}` : text);
}

/** A delivery as one CSV line (CRLF-terminated, as RFC 4180 writes them). */
export function deliveryCsvLine(d: ListedDelivery): string {
  const answer = d.answer ?? {};
  const others = otherAnswers(answer);
  const cells = [
    d.id, d.createdAt.toISOString(), d.rule.title, d.event.type, d.lead ? (d.lead.email ?? d.lead.name ?? d.lead.id) : "", d.state, d.isTest ? "yes" : null, d.duplicateOfId, d.attemptCount, d.lastStatusCode, d.lastError,
    ...ANSWER_NAMES.map((name) => answer[name] ?? null),
    Object.keys(others).length ? JSON.stringify(others) : null,
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** Writes the header and every matching delivery through `write`; resolves with the count. */
export async function writeDeliveriesCsv(prisma: PrismaClient, organizationId: string, params: DeliveryListParams, write: (chunk: string) => Promise<void>, batchSize = EXPORT_BATCH_SIZE): Promise<number> {
  await write(`${HEADER.map(csvCell).join(",")}\r\n`);
  const where = deliveryListWhere(organizationId, params);
  const orderBy = deliveryListOrderBy(params.sort, params.dir);
  let written = 0;
  for (;;) {
    const batch = await prisma.delivery.findMany({ where, orderBy, skip: written, take: batchSize, select: listedSelect });
    if (batch.length) await write(batch.map((d) => deliveryCsvLine(toListed(d))).join(""));
    written += batch.length;
    if (batch.length < batchSize) return written;
  }
}
