import { openedDatabase } from "@/lib/db";
import { WAKE_CHANNEL } from "./wake-signal";

// The one way to wake the dispatcher: the outbox calls it once new deliveries are committed, and
// the requeue module once deliveries are queued again. In this process it calls the dispatcher's
// runtime, which listens (nothing that wakes it imports the engine); on PostgreSQL it also
// notifies WAKE_CHANNEL, which every delivering process listens on (lib/delivery/engine/listener.ts).
// The listener is kept on globalThis: Next.js bundles the server in several chunks, each with its
// own module instances.

type Listener = () => void;

const key = Symbol.for("leadhooks.wake-dispatcher");
type G = typeof globalThis & { [key]?: Listener };

/** Sets the listener woken by wakeDispatcher (the process's dispatcher runtime). */
export function onWake(listener: Listener): void {
  (globalThis as G)[key] = listener;
}

/**
 * Deliveries became due: the dispatcher, when one runs in this process, goes round without waiting
 * for its next tick, and on PostgreSQL so do the workers and web processes that deliver. Callers
 * do not wait: a failed notification is logged, and the fallback tick delivers.
 */
export function wakeDispatcher(): void {
  (globalThis as G)[key]?.();
  notifyOtherProcesses().catch((err: unknown) => console.error("wake-up notification:", err instanceof Error ? err.message : err));
}

/** NOTIFY through the process's own database, after the commit that queued the deliveries; nothing on PGlite. */
async function notifyOtherProcesses(): Promise<void> {
  const database = await openedDatabase();
  if (database?.kind !== "postgres") return;
  await database.prisma.$executeRaw`SELECT pg_notify(${WAKE_CHANNEL}, '')`;
}
