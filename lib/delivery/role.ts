import type { Env } from "@/lib/core/env";

/** A process's role: the web process (Next.js) or a delivery worker (`npm run worker`). */
export type ProcessRole = "web" | "worker";

export interface DeliveryDuties {
  /** Dispatch right after deliveries are queued (wakeDispatcher). */
  wake: boolean;
  /** Run the ticker (its interval: wakeUps). */
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

/** The tick on PGlite, and wherever nothing else wakes a process: once a second. */
export const DEFAULT_TICK_MS = 1000;

export interface WakeUps {
  /** The PostgreSQL URL to LISTEN on for wake-ups from other processes; null on PGlite. */
  listenUrl: string | null;
  /** The ticker's interval: what picks up retries that became due, leases that expired, and anything a wake-up missed. */
  tickMs: number;
}

/**
 * How a delivering process learns of work. On PostgreSQL it listens for the notification every
 * process's wakeDispatcher sends, so the ticker is a slow fallback (DELIVERY_FALLBACK_TICK_SECONDS).
 * On PGlite one process does everything and is woken in-process; its tick stays at one second,
 * because retries and expired leases become due by time, with no wake-up at all.
 */
export function wakeUps(env: Pick<Env, "DATABASE_URL" | "DELIVERY_FALLBACK_TICK_SECONDS">): WakeUps {
  if (env.DATABASE_URL.startsWith("pglite:")) return { listenUrl: null, tickMs: DEFAULT_TICK_MS };
  return { listenUrl: env.DATABASE_URL, tickMs: env.DELIVERY_FALLBACK_TICK_SECONDS * 1000 };
}
