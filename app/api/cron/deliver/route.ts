import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/core/env";
import { runDispatcher } from "@/lib/delivery/engine/runtime";

export const dynamic = "force-dynamic";

function authorized(header: string | null): boolean {
  const secret = env().CRON_SECRET;
  if (!secret || !header) return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(`Bearer ${secret}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Cron-invoked dispatcher: `Authorization: Bearer $CRON_SECRET`. Sends what is due, returns a summary. */
export async function GET(req: Request) {
  if (!authorized(req.headers.get("authorization"))) {
    return Response.json({ error: { code: "unauthorized", message: "Missing or wrong cron secret." } }, { status: 401 });
  }
  const started = Date.now();
  const summary = await runDispatcher(20_000, { why: "look" });
  return Response.json({ ok: true, ...summary, durationMs: Date.now() - started });
}
