// Runs once when the Next.js server starts: wires the dispatcher (its reports feed rule health and
// notifications; wakeDispatcher() starts a dispatch) and starts the in-process delivery ticker for
// self-hosting.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startTicker, wireDispatcher } = await import("@/lib/delivery/engine/runtime");
  const { consumeDispatchReport } = await import("@/lib/health/report");
  wireDispatcher(consumeDispatchReport);
  if (process.env.SCHEDULER !== "off") startTicker();
}
