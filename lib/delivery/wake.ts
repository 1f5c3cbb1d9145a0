// The one way to wake the dispatcher: the outbox calls it once new deliveries are committed, and
// the requeue module once deliveries are queued again. The dispatcher's runtime listens; nothing
// that wakes it imports the engine. Kept on globalThis: Next.js bundles the server in several
// chunks, each with its own module instances.

type Listener = () => void;

const key = Symbol.for("leadhooks.wake-dispatcher");
type G = typeof globalThis & { [key]?: Listener };

/** Sets the listener woken by wakeDispatcher (the process's dispatcher runtime). */
export function onWake(listener: Listener): void {
  (globalThis as G)[key] = listener;
}

/** Deliveries became due: the dispatcher, when one runs in this process, goes round without waiting for its next tick. */
export function wakeDispatcher(): void {
  (globalThis as G)[key]?.();
}
