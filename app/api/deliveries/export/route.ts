import { routeOrganizationId } from "@/lib/auth/action";
import { db } from "@/lib/db";
import { deliveriesExportFilename, writeDeliveriesCsv } from "@/lib/delivery/log/export";
import { parseDeliveryListParams } from "@/lib/delivery/log/list-params";

// GET /api/deliveries/export?q=&ruleId=&state=&status=&from=&to=&sort=&dir= — the delivery log as
// CSV, with the clients' answers. Viewers may export (it is read-only); only the signed-in user's
// organization's deliveries are in it.

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const organizationId = await routeOrganizationId("VIEWER");
  if (organizationId instanceof Response) return organizationId;
  const params = parseDeliveryListParams(new URL(request.url).searchParams);
  const prisma = await db();
  const encoder = new TextEncoder();

  // Streamed: the first rows leave while later batches are still being read.
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  writeDeliveriesCsv(prisma, organizationId, params, (chunk) => writer.write(encoder.encode(chunk)))
    .then(() => writer.close())
    .catch((err: unknown) => {
      console.error("Deliveries export failed:", err);
      void writer.abort(err);
    });

  return new Response(readable, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${deliveriesExportFilename()}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
