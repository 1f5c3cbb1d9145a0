import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { sheetText } from "./sheet-text";
import { listedRuleSelect, loadReferenceNames, ruleListOrderBy, ruleListWhere, toListedRules, type RuleListParams } from "./list";

// The Webhook Rules list as an .xlsx: every rule matching the list's filter, in the list's order.
// Rows are read in batches and streamed through exceljs's WorkbookWriter, so memory stays flat
// however many rules an organization has.

export const EXPORT_BATCH_SIZE = 1000;

export const EXPORT_COLUMNS = [
  { header: "Status", key: "status", width: 11 },
  { header: "Title", key: "title", width: 40 },
  { header: "Trigger", key: "trigger", width: 24 },
  { header: "URL", key: "url", width: 60 },
  { header: "Creation Rules", key: "creationRules", width: 70 },
  { header: "Enabled", key: "enabled", width: 10 },
  { header: "Created", key: "createdAt", width: 20, style: { numFmt: "yyyy-mm-dd hh:mm" } },
  { header: "Updated", key: "updatedAt", width: 20, style: { numFmt: "yyyy-mm-dd hh:mm" } },
] as const;

/** `webhook-rules-2026-11-03.xlsx` (UTC date). */
export function exportFilename(now = new Date()): string {
  return `webhook-rules-${now.toISOString().slice(0, 10)}.xlsx`;
}

export type ExportParams = Pick<RuleListParams, "q" | "sort" | "dir">;

/**
 * Writes the workbook to `output` and resolves with the number of rules written once the file is
 * complete. Dates are real Excel dates (UTC). Offset batches over a total order (id breaks ties)
 * visit every row once unless rules are created or deleted during the export.
 */
export async function writeRulesWorkbook(prisma: PrismaClient, organizationId: string, params: ExportParams, output: Writable, batchSize = EXPORT_BATCH_SIZE): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  workbook.creator = "Leadhooks";
  workbook.created = new Date();
  const sheet = workbook.addWorksheet("Webhook Rules", { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = EXPORT_COLUMNS.map((c) => ({ ...c }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.commit();
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_COLUMNS.length } };

  const where = ruleListWhere(organizationId, params.q);
  const orderBy = ruleListOrderBy(params.sort, params.dir);
  const names = await loadReferenceNames(prisma, organizationId);
  let written = 0;
  for (;;) {
    // The download was cancelled (the response stream is gone): stop reading the database.
    if (output.destroyed) throw new Error("Export cancelled: the output stream was closed.");
    const batch = await prisma.webhookRule.findMany({ where, orderBy, skip: written, take: batchSize, select: listedRuleSelect });
    for (const rule of await toListedRules(prisma, batch, names)) {
      sheet
        .addRow({
          // Every text cell through sheetText: any stored character keeps the workbook well-formed.
          status: rule.enabled ? "Enabled" : "Disabled",
          title: sheetText(rule.title),
          trigger: sheetText(rule.events.map((e) => e.label).join(", ")),
          url: sheetText(rule.url),
          creationRules: sheetText(rule.creationRules),
          enabled: rule.enabled ? "Yes" : "No",
          createdAt: rule.createdAt,
          updatedAt: rule.updatedAt,
        })
        .commit();
    }
    written += batch.length;
    if (batch.length < batchSize) break;
  }
  sheet.commit();
  await workbook.commit();
  return written;
}
