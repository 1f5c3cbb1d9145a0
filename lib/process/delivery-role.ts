import { env } from "@/lib/core/env";
import { startTicker, stopDispatcher, wireDispatcher } from "@/lib/delivery/engine/runtime";
import { notificationsSettled } from "@/lib/notifications/send";
import { deliveryDuties, wakeUps, type ProcessRole } from "@/lib/delivery/role";
import { chainDeliveriesWith } from "@/lib/delivery/engine/chain";
import { outboxChainWriter } from "@/lib/outbox/commit";
import { consumeDispatchReport } from "../health/report";

/**
 * Wires this process's part in delivery, for the web process (instrumentation.ts) and the worker
 * (scripts/worker.ts) alike: every dispatched batch's report feeds rule health and notifications,
 * and the outbox renders the deliveries fallback and linked rules get;
 * wake-ups and the ticker as deliveryDuties says; a process that delivers on PostgreSQL also
 * listens for other processes' wake-ups, and ticks slowly (wakeUps). A worker's ticker keeps its
 * process alive.
 */
export function startDeliveryRole(role: ProcessRole): void {
  const e = env();
  const duties = deliveryDuties(role, e);
  const { listenUrl, tickMs } = wakeUps(e);
  wireDispatcher(consumeDispatchReport, { wake: duties.wake, listenUrl: duties.wake ? listenUrl : null });
  chainDeliveriesWith(outboxChainWriter);
  if (duties.tick) startTicker(tickMs, { holdProcess: role === "worker" });
  (globalThis as GlobalWithStop)[STOP_KEY] = stopDeliveryRole;
}

// The web server starts its delivery role inside Next.js (instrumentation.ts), whose bundle has
// its own copy of this module and of the engine's (the ticker, the listening connection); the
// server (scripts/serve.ts, bundled apart) stops it through the copy that started it.
const STOP_KEY = Symbol.for("leadhooks.deliveryRole.stop");
type GlobalWithStop = typeof globalThis & { [STOP_KEY]?: () => Promise<void> };

/** Stops the delivery role this process started, through the copy of this module that started it (stopDeliveryRole). */
export async function stopStartedDeliveryRole(): Promise<void> {
  await ((globalThis as GlobalWithStop)[STOP_KEY] ?? stopDeliveryRole)();
}

/**
 * Stops this process's part in delivery before its database closes: nothing new is claimed, what
 * is in flight is recorded, and the notifications its reports started are done (closing the
 * database under one would leave its transaction open, and the embedded database would never close).
 */
export async function stopDeliveryRole(): Promise<void> {
  await stopDispatcher();
  await notificationsSettled();
}
