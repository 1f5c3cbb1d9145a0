import { within } from "@/lib/core/within";
import { openedDatabase } from "@/lib/db";
import type { Sql } from "@/lib/db/sql";
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

// One NOTIFY at a time per database: wake-ups that come meanwhile are folded into one more, sent
// once it is done, so every commit is still followed by a notification sent after it. A
// notification that gets no answer (a pool whose every connection is taken, a connection gone
// silent) is given up, so it cannot hold back the ones after it for the rest of the process: the
// fallback tick delivers meanwhile. A query cannot be taken back from the pool's queue, so one
// given up may still go out later: each give-up doubles the wait for the next (NOTIFY_TIMEOUT_MS,
// up to NOTIFY_TIMEOUT_MAX_MS), and a pool taken for minutes queues a handful, not one every few
// seconds. An answered NOTIFY starts the wait afresh. The state is kept per database handle: a
// database opened later (after the first was closed) starts clean.

/** How long a wake-up notification may go unanswered before the next one is sent without it (the first time). */
export const NOTIFY_TIMEOUT_MS = 10_000;
/** The longest wait, after give-ups in a row. */
export const NOTIFY_TIMEOUT_MAX_MS = 320_000;

interface Notifier {
  running: boolean;
  again: boolean;
  /** NOTIFYs given up in a row. */
  givenUp: number;
}

const notifiers = new WeakMap<Sql, Notifier>();

/** NOTIFY (payload: this process, whose own listener ignores it) after the commit that queued deliveries; nothing on PGlite. */
function notifyOtherProcesses(): void {
  // A database that fails to open is reported by whoever opened it.
  void openedDatabase()?.then((database) => database.kind === "postgres" && notify(database.sql), () => {});
}

function notify(sql: Sql): void {
  const state = notifiers.get(sql) ?? { running: false, again: false, givenUp: 0 };
  notifiers.set(sql, state);
  if (state.running) {
    state.again = true;
    return;
  }
  state.running = true;
  void (async () => {
    do {
      state.again = false;
      const waitMs = Math.min(NOTIFY_TIMEOUT_MAX_MS, NOTIFY_TIMEOUT_MS * 2 ** state.givenUp);
      try {
        await within(sql.query(`SELECT pg_notify($1, $2)`, [WAKE_CHANNEL, PROCESS_WAKE_ID], "wake-notify"), waitMs, () => new Unanswered(`no answer from the database in ${waitMs / 1000} s; given up (the fallback tick delivers meanwhile)`));
        state.givenUp = 0;
      } catch (err) {
        if (err instanceof Unanswered) state.givenUp++;
        console.error("wake-up notification:", err instanceof Error ? err.message : err);
      }
    } while (state.again);
    state.running = false;
  })();
}

class Unanswered extends Error {}
