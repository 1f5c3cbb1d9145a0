// How delivering processes learn that deliveries were queued, and how they take it: the
// PostgreSQL channel that wakeDispatcher notifies and workers listen on, the folding of a burst
// of wake-ups into one dispatch, and the pause before listening again after the connection drops.

/** The PostgreSQL LISTEN/NOTIFY channel of wake-ups (a plain identifier: LISTEN takes no parameter). */
export const WAKE_CHANNEL = "leadhooks_deliveries";

/**
 * This process's name in its notifications: its own listener skips them (it was woken directly).
 * On globalThis: the server is bundled in several chunks, each with its own copy of this module.
 */
export const PROCESS_WAKE_ID: string = ((globalThis as { [k: symbol]: string })[Symbol.for("leadhooks.wake-id")] ??= `${process.pid}-${Math.random().toString(36).slice(2, 10)}`);

/**
 * Wraps `run` so that calls made before it has run fold into one: a burst of wake-ups (many
 * notifications arriving together) starts one dispatch on the next turn of the event loop. While
 * that dispatch runs, further wake-ups ask it for one more round (runDispatcher).
 */
export function coalesced(run: () => void, schedule: (fn: () => void) => void = setImmediate): () => void {
  let pending = false;
  return () => {
    if (pending) return;
    pending = true;
    schedule(() => {
      pending = false;
      run();
    });
  };
}

export const RECONNECT_FIRST_MS = 500;
export const RECONNECT_MAX_MS = 30_000;

/** How long to wait before connecting again after `failures` failed attempts in a row: doubling from 0.5 s, at most 30 s. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(RECONNECT_MAX_MS, RECONNECT_FIRST_MS * 2 ** Math.max(0, failures));
}
