// Runs once when the Next.js server starts: wires the web process's part in delivery (reports feed
// rule health and notifications; with DELIVERY_WORKERS=inline, wake-ups and the in-process ticker).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startDeliveryRole } = await import("@/lib/process/delivery-role");
  startDeliveryRole("web");
}
