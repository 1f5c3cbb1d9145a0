import { env } from "@/lib/core/env";
import { startTicker, wireDispatcher } from "@/lib/delivery/engine/runtime";
import { deliveryDuties, type ProcessRole } from "@/lib/delivery/role";
import { consumeDispatchReport } from "../health/report";

/**
 * Wires this process's part in delivery, for the web process (instrumentation.ts) and the worker
 * (scripts/worker.ts) alike: every dispatched batch's report feeds rule health and notifications;
 * wake-ups and the ticker as deliveryDuties says. A worker's ticker keeps its process alive.
 */
export function startDeliveryRole(role: ProcessRole): void {
  const duties = deliveryDuties(role, env());
  wireDispatcher(consumeDispatchReport, { wake: duties.wake });
  if (duties.tick) startTicker(1000, { holdProcess: role === "worker" });
}
