import { PassThrough, Readable } from "node:stream";
import { routeOrganizationId } from "@/lib/auth/action";
import { db } from "@/lib/db";
import { exportFilename, writeRulesWorkbook } from "@/lib/rules/export";
import { parseRuleListParams } from "@/lib/rules/list";

// GET /api/rules/export?q=&sort=&dir= — the Webhook Rules list as an Excel file. Viewers may
// export (it is read-only); the workbook holds only the signed-in user's organization's rules.

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const organizationId = await routeOrganizationId("VIEWER");
  if (organizationId instanceof Response) return organizationId;
  const { q, sort, dir } = parseRuleListParams(new URL(request.url).searchParams);
  const prisma = await db();

  // Streamed: the first bytes leave while later batches are still being read.
  const body = new PassThrough();
  writeRulesWorkbook(prisma, organizationId, { q, sort, dir }, body).catch((err: unknown) => {
    if (!body.destroyed) console.error("Rules export failed:", err);
    body.destroy(err instanceof Error ? err : new Error(String(err)));
  });

  return new Response(Readable.toWeb(body) as ReadableStream<Uint8Array>, {
    headers: {
      "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "Content-Disposition": `attachment; filename="${exportFilename()}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
