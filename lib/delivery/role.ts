import type { Env } from "@/lib/core/env";

/** A process's role: the web process (Next.js) or a delivery worker (`npm run worker`). */
export type ProcessRole = "web" | "worker";

export interface DeliveryDuties {
  /** Dispatch right after deliveries are queued (wakeDispatcher). */
  wake: boolean;
  /** Run the once-a-second ticker. */
  tick: boolean;
}

/**
 * What a process does about delivery. A worker always delivers. The web process delivers with
 * DELIVERY_WORKERS=inline (woken after each event; ticking unless SCHEDULER=off), and leaves it
 * all to workers with external.
 */
export function deliveryDuties(role: ProcessRole, env: Pick<Env, "DELIVERY_WORKERS" | "SCHEDULER">): DeliveryDuties {
  if (role === "worker") return { wake: true, tick: true };
  const inline = env.DELIVERY_WORKERS === "inline";
  return { wake: inline, tick: inline && env.SCHEDULER === "on" };
}
