// Runs once when the Next.js server starts: the in-process delivery ticker for self-hosting.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  if (process.env.SCHEDULER === "off" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startTicker } = await import("@/lib/delivery/engine/runtime");
  startTicker();
}
