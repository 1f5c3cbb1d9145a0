import { openedDatabase } from "@/lib/db";
import { PROCESS_WAKE_ID, WAKE_CHANNEL } from "./wake-signal";

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
  notifyOtherProcesses();
}

// At most one NOTIFY in flight per process: wake-ups that come meanwhile are folded into one more,
// sent once it is done, so every commit is still followed by a notification sent after it.
let notifying = false;
let again = false;

/** NOTIFY (payload: this process, whose own listener ignores it) after the commit that queued deliveries; nothing on PGlite. */
function notifyOtherProcesses(): void {
  if (notifying) {
    again = true;
    return;
  }
  notifying = true;
  void (async () => {
    try {
      do {
        again = false;
        const database = await openedDatabase();
        if (database?.kind !== "postgres") return;
        await database.sql.query(`SELECT pg_notify($1, $2)`, [WAKE_CHANNEL, PROCESS_WAKE_ID], "wake-notify");
      } while (again);
    } catch (err) {
      console.error("wake-up notification:", err instanceof Error ? err.message : err);
    } finally {
      notifying = false;
    }
  })();
}
